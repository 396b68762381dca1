#include "clusterrecipedialog.h"

#include "theme.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>

namespace ftui {

ClusterRecipeDialog::ClusterRecipeDialog(const ft::TrainingConfig &config, QWidget *parent)
    : QDialog(parent), m_config(config), m_job(this, [this](const Outcome &outcome) { onFinished(outcome); })
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
    m_progress = new QProgressBar;
    m_progress->setObjectName(QStringLiteral("recipeProgress"));
    m_progress->setRange(0, 1000);
    m_progress->setFormat(tr("Writing the rows… %p%"));
    m_progress->hide();
    form->addRow(m_progress);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    m_writeButton = buttons->addButton(tr("Write"), QDialogButtonBox::AcceptRole);
    connect(buttons, &QDialogButtonBox::accepted, this, &ClusterRecipeDialog::startWriting);
    connect(buttons, &QDialogButtonBox::rejected, this, &ClusterRecipeDialog::reject);
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

void ClusterRecipeDialog::startWriting()
{
    if (m_job.isRunning())
        return;
    ft::ClusterRecipeOptions options;
    const int stage = m_deepSpeed->currentIndex();
    options.deepSpeed = stage == 2 ? ft::DeepSpeedStage::Zero3
                        : stage == 1 ? ft::DeepSpeedStage::Zero2
                                     : ft::DeepSpeedStage::None;
    options.modelId = m_modelId->text().trimmed().toStdString();
    options.origin = tr("this run").toStdString();
    const std::string folder = m_folder->text().trimmed().toStdString();
    m_error->hide();
    m_progress->setValue(0);
    m_progress->show();
    setInputsEnabled(false);
    // The job's lambda may use `this`: the job is cancelled and waited for in the destructor.
    m_job.start([this, options, folder, config = m_config](const std::atomic<bool> *cancel) mutable {
        ProgressThrottle throttle;
        options.callbacks.stop = cancel;
        options.callbacks.onProgress = [&](double fraction, const std::string &) {
            if (!throttle.due(fraction >= 1.0))
                return;
            const int value = int(fraction * 1000.0);
            QMetaObject::invokeMethod(this, [this, value] { m_progress->setValue(value); }, Qt::QueuedConnection);
        };
        Outcome outcome;
        outcome.failure = runCatching([&] { outcome.recipe = ft::writeClusterRecipe(config, options, folder); },
                                      tr("not enough memory to write the recipe"));
        return outcome;
    });
}

void ClusterRecipeDialog::onFinished(const Outcome &outcome)
{
    m_progress->hide();
    setInputsEnabled(true);
    if (!outcome.failure) {
        m_recipe = outcome.recipe;
        accept();
        return;
    }
    if (outcome.failure->cancelled || m_closeWhenStopped) {
        m_closeWhenStopped = false;
        QDialog::reject();
        return;
    }
    m_error->setText(outcome.failure->message);
    m_error->show();
}

void ClusterRecipeDialog::reject()
{
    if (m_job.isRunning()) {
        m_closeWhenStopped = true;
        m_job.cancel();
        return;
    }
    QDialog::reject();
}

void ClusterRecipeDialog::setInputsEnabled(bool enabled)
{
    m_folder->setEnabled(enabled);
    m_deepSpeed->setEnabled(enabled);
    m_modelId->setEnabled(enabled);
    m_writeButton->setEnabled(enabled);
}

} // namespace ftui
