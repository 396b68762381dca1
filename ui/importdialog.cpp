#include "importdialog.h"

#include "theme.h"

#include <ft/error.h>
#include <ft/importpreview.h>

#include <QComboBox>
#include <QDir>
#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

namespace ftui {

namespace {

const QStringList kFields = {"", "instruction", "input", "output", "system", "history",
                             "conversations", "messages", "text", "prompt", "chosen",
                             "rejected", "question", "answer"};

QString clip(const QString &text, int chars = 200)
{
    const QString s = text.simplified();
    return s.size() > chars ? s.left(chars - 1) + QChar(0x2026) : s;
}

} // namespace

ImportDialog::ImportDialog(const QStringList &files, QWidget *parent)
    : QDialog(parent), m_files(files)
{
    setObjectName(QStringLiteral("importDialog"));
    setWindowTitle(tr("Import Dataset"));
    resize(980, 640);

    m_fileList = new QListWidget;
    m_fileList->setMaximumHeight(72);
    auto *addButton = new QPushButton(tr("Add Files…"));
    connect(addButton, &QPushButton::clicked, this, &ImportDialog::addFiles);
    auto *addFolderButton = new QPushButton(tr("Add Folder…"));
    addFolderButton->setObjectName(QStringLiteral("addFolderButton"));
    addFolderButton->setToolTip(tr("A folder of documents (.txt, .md, .html, .pdf, .docx): a document per file, "
                                   "for continued pre-training"));
    connect(addFolderButton, &QPushButton::clicked, this, [this] {
        const QString folder = QFileDialog::getExistingDirectory(this, tr("Add a Folder of Documents"));
        if (!folder.isEmpty())
            addPaths({folder});
    });
    auto *addButtons = new QVBoxLayout;
    addButtons->addWidget(addButton);
    addButtons->addWidget(addFolderButton);
    addButtons->addStretch();
    auto *filesRow = new QHBoxLayout;
    filesRow->addWidget(m_fileList, 1);
    filesRow->addLayout(addButtons);

    m_name = new QLineEdit;
    m_name->setObjectName(QStringLiteral("importName"));
    m_format = new QComboBox;
    m_format->setObjectName(QStringLiteral("importFormat"));
    for (auto f : {ft::DataFormat::Auto, ft::DataFormat::Alpaca, ft::DataFormat::ShareGpt,
                   ft::DataFormat::Messages, ft::DataFormat::Text, ft::DataFormat::Preference,
                   ft::DataFormat::Choice})
        m_format->addItem(f == ft::DataFormat::Auto ? tr("Detect automatically")
                                                    : QString::fromLatin1(ft::dataFormatName(f)),
                          QString::fromLatin1(ft::dataFormatName(f)));
    connect(m_format, &QComboBox::currentIndexChanged, this, &ImportDialog::refreshPreview);
    m_detection = new QLabel;
    m_detection->setObjectName(QStringLiteral("importDetection"));
    m_detection->setWordWrap(true);
    m_detection->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *form = new QFormLayout;
    form->addRow(tr("Files:"), filesRow);
    form->addRow(tr("Dataset name:"), m_name);
    form->addRow(tr("Format:"), m_format);
    form->addRow(tr("Detected:"), m_detection);

    m_mapping = new QTableWidget(0, 2);
    m_mapping->setObjectName(QStringLiteral("importMapping"));
    m_mapping->setHorizontalHeaderLabels({tr("Column in the file"), tr("Read as")});
    m_mapping->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    m_mapping->verticalHeader()->hide();
    m_preview = new QTableWidget(0, 4);
    m_preview->setObjectName(QStringLiteral("importPreview"));
    m_preview->setHorizontalHeaderLabels({tr("Line"), tr("User"), tr("Assistant"), tr("Problem")});
    m_preview->horizontalHeader()->setSectionResizeMode(1, QHeaderView::Stretch);
    m_preview->horizontalHeader()->setSectionResizeMode(2, QHeaderView::Stretch);
    m_preview->verticalHeader()->hide();
    m_preview->setEditTriggers(QAbstractItemView::NoEditTriggers);

    auto *mappingBox = new QWidget;
    auto *mappingLayout = new QVBoxLayout(mappingBox);
    mappingLayout->setContentsMargins(0, 0, 0, 0);
    auto *mappingTitle = new QLabel(tr("Column mapping (rename a column to the field it holds)"));
    theme::makeSecondary(mappingTitle);
    mappingLayout->addWidget(mappingTitle);
    mappingLayout->addWidget(m_mapping);
    auto *previewBox = new QWidget;
    auto *previewLayout = new QVBoxLayout(previewBox);
    previewLayout->setContentsMargins(0, 0, 0, 0);
    auto *previewTitle = new QLabel(tr("Preview: the first rows as they will be imported"));
    theme::makeSecondary(previewTitle);
    previewLayout->addWidget(previewTitle);
    previewLayout->addWidget(m_preview);
    auto *splitter = new QSplitter;
    splitter->addWidget(mappingBox);
    splitter->addWidget(previewBox);
    splitter->setStretchFactor(1, 3);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Import"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(splitter, 1);
    layout->addWidget(buttons);

    for (const QString &f : m_files)
        m_fileList->addItem(QDir::toNativeSeparators(f));
    if (!m_files.isEmpty())
        m_name->setText(QFileInfo(m_files.constFirst()).completeBaseName());
    refreshPreview();
}

void ImportDialog::addFiles()
{
    addPaths(QFileDialog::getOpenFileNames(
        this, tr("Add Data Files"), QString(),
        tr("Data files (*.json *.jsonl *.ndjson *.csv *.tsv *.txt *.md *.html *.htm *.pdf *.docx);;All files (*)")));
}

void ImportDialog::addPaths(const QStringList &more)
{
    for (const QString &f : more) {
        if (m_files.contains(f))
            continue;
        m_files << f;
        m_fileList->addItem(QDir::toNativeSeparators(f));
    }
    if (m_name->text().isEmpty() && !m_files.isEmpty())
        m_name->setText(QFileInfo(m_files.constFirst()).completeBaseName());
    refreshPreview();
}

ft::ImportOptions ImportDialog::options() const
{
    ft::ImportOptions o;
    o.name = m_name->text().trimmed().toStdString();
    o.format = ft::parseDataFormat(m_format->currentData().toString().toStdString())
                   .value_or(ft::DataFormat::Auto);
    for (int r = 0; r < m_mapping->rowCount(); ++r) {
        const auto *combo = qobject_cast<QComboBox *>(m_mapping->cellWidget(r, 1));
        const QString column = m_mapping->item(r, 0)->text();
        const QString field = combo ? combo->currentText().trimmed() : QString();
        if (!field.isEmpty() && field != column)
            o.columnMap[column.toStdString()] = field.toStdString();
    }
    return o;
}

QString ImportDialog::detectionText() const
{
    return m_detection->text();
}

void ImportDialog::refreshPreview()
{
    m_preview->setRowCount(0);
    if (m_files.isEmpty()) {
        m_detection->setText(tr("Add a file to see its format."));
        return;
    }
    ft::ImportPreview preview;
    try {
        preview = ft::previewImport(QFile::encodeName(m_files.constFirst()).toStdString(), options());
    } catch (const std::exception &e) {
        m_detection->setText(tr("Cannot read: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    const auto &d = preview.detection;
    m_detection->setText(
        d.format == ft::DataFormat::Auto
            ? tr("Unknown format — %1. Map the columns or choose a format.")
                  .arg(QString::fromStdString(d.reason))
            : tr("<b>%1</b> · %2% confidence · %3 file — %4")
                  .arg(QString::fromLatin1(ft::dataFormatName(d.format)))
                  .arg(qRound(d.confidence * 100))
                  .arg(QString::fromStdString(preview.fileKind),
                       QString::fromStdString(d.reason).toHtmlEscaped()));

    // The mapping rows: keep the choices made so far when the columns are the same.
    QStringList columns;
    for (const auto &c : preview.columns)
        columns << QString::fromStdString(c);
    if (columns != m_columns) {
        m_columns = columns;
        m_mapping->setRowCount(int(columns.size()));
        for (int r = 0; r < columns.size(); ++r) {
            auto *item = new QTableWidgetItem(columns[r]);
            item->setFlags(item->flags() & ~Qt::ItemIsEditable);
            m_mapping->setItem(r, 0, item);
            auto *combo = new QComboBox;
            combo->setEditable(true);
            combo->addItems(kFields);
            combo->setCurrentText(kFields.contains(columns[r]) ? columns[r] : QString());
            connect(combo, &QComboBox::currentTextChanged, this, &ImportDialog::refreshPreview);
            m_mapping->setCellWidget(r, 1, combo);
        }
    }

    m_preview->setRowCount(int(preview.rows.size()));
    for (int r = 0; r < int(preview.rows.size()); ++r) {
        const ft::PreviewRow &row = preview.rows[size_t(r)];
        QString user, assistant;
        for (const auto &m : row.row.messages) {
            if (user.isEmpty() && (m.role == "user" || m.role == "text"))
                user = QString::fromStdString(m.content);
            if (m.role == "assistant")
                assistant = QString::fromStdString(m.content);
        }
        m_preview->setItem(r, 0, new QTableWidgetItem(QString::number(row.line)));
        m_preview->setItem(r, 1, new QTableWidgetItem(clip(user)));
        m_preview->setItem(r, 2, new QTableWidgetItem(clip(assistant)));
        m_preview->setItem(r, 3, new QTableWidgetItem(QString::fromStdString(row.problem)));
    }
    m_preview->resizeColumnToContents(0);
}

} // namespace ftui
