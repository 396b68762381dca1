#include "clusterrecipedialog.h"

#include "theme.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace ftui {

ClusterRecipeDialog::ClusterRecipeDialog(const ft::TrainingConfig &config, QWidget *parent)
    : QDialog(parent), m_config(config)
{
    setWindowTitle(tr("Write a cluster recipe"));
    auto *form = new QFormLayout(this);
    auto *intro = new QLabel(tr("Writes this run for LLaMA-Factory on a cluster: its training YAML, the "
                                "accepted training rows as JSONL, a DeepSpeed configuration and a README "
                                "with the launch commands for one or several machines."));
    intro->setWordWrap(true);
    form->addRow(intro);
    m_folder = new QLineEdit;
    m_folder->setObjectName(QStringLiteral("recipeFolder"));
    m_folder->setText(QDir::home().filePath(QStringLiteral("cluster-recipe")));
    auto *browseButton = new QPushButton(tr("Browse…"));
    connect(browseButton, &QPushButton::clicked, this, &ClusterRecipeDialog::browse);
    auto *folderRow = new QHBoxLayout;
    folderRow->addWidget(m_folder, 1);
    folderRow->addWidget(browseButton);
    form->addRow(tr("Folder to create:"), folderRow);
    m_deepSpeed = new QComboBox;
    m_deepSpeed->setObjectName(QStringLiteral("recipeDeepSpeed"));
    m_deepSpeed->addItem(tr("None"));
    m_deepSpeed->addItem(tr("ZeRO-2 (optimizer state and gradients sharded)"));
    m_deepSpeed->addItem(tr("ZeRO-3 (the weights sharded too, for models one GPU cannot hold)"));
    m_deepSpeed->setCurrentIndex(1);
    form->addRow(tr("DeepSpeed:"), m_deepSpeed);
    m_modelId = new QLineEdit;
    m_modelId->setObjectName(QStringLiteral("recipeModelId"));
    m_modelId->setPlaceholderText(QString::fromStdString(config.model));
    m_modelId->setToolTip(tr("The model's name on the cluster (a Hugging Face hub id or a path there); "
                             "empty: this machine's path."));
    form->addRow(tr("Model on the cluster:"), m_modelId);
    m_error = new QLabel;
    m_error->setObjectName(QStringLiteral("recipeError"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(theme::warningBoxStyleSheet(QStringLiteral("recipeError")));
    m_error->hide();
    form->addRow(m_error);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    buttons->addButton(tr("Write"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        if (write())
            accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    setMinimumWidth(560);
}

void ClusterRecipeDialog::setFolder(const QString &folder) { m_folder->setText(folder); }

void ClusterRecipeDialog::setDeepSpeedIndex(int index) { m_deepSpeed->setCurrentIndex(index); }

QString ClusterRecipeDialog::errorText() const { return m_error->isHidden() ? QString() : m_error->text(); }

void ClusterRecipeDialog::browse()
{
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Where to create the recipe folder"),
                                                          QFileInfo(m_folder->text()).absolutePath());
    if (!dir.isEmpty())
        m_folder->setText(QDir(dir).filePath(QStringLiteral("cluster-recipe")));
}

bool ClusterRecipeDialog::write()
{
    ft::ClusterRecipeOptions options;
    const int stage = m_deepSpeed->currentIndex();
    options.deepSpeed = stage == 2 ? ft::DeepSpeedStage::Zero3
                        : stage == 1 ? ft::DeepSpeedStage::Zero2
                                     : ft::DeepSpeedStage::None;
    options.modelId = m_modelId->text().trimmed().toStdString();
    options.origin = tr("this run").toStdString();
    QApplication::setOverrideCursor(Qt::WaitCursor);
    try {
        m_recipe = ft::writeClusterRecipe(m_config, options, m_folder->text().trimmed().toStdString());
        QApplication::restoreOverrideCursor();
        m_error->hide();
        return true;
    } catch (const std::exception &e) {
        QApplication::restoreOverrideCursor();
        m_error->setText(QString::fromStdString(e.what()));
        m_error->show();
        return false;
    }
}

} // namespace ftui
