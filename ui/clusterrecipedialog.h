// "Write a cluster recipe...": the run on this page as a LLaMA-Factory recipe for a cluster
// (ft::writeClusterRecipe, the same function as `finetune-cli recipe`): a folder to create, the
// DeepSpeed ZeRO stage and, optionally, the model's name on the cluster. See docs/cluster.md.
// Writing a million rows takes a while: it runs in the background with a progress bar, and Cancel
// stops it leaving nothing behind; the dialog accepts once the folder is complete.
#pragma once

#include "backgroundjob.h"

#include <ft/clusterrecipe.h>

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;

namespace ftui {

class ClusterRecipeDialog : public QDialog
{
    Q_OBJECT

public:
    ClusterRecipeDialog(const ft::TrainingConfig &config, QWidget *parent = nullptr);

    void setFolder(const QString &folder);
    // 0: none, 1: ZeRO-2, 2: ZeRO-3.
    void setDeepSpeedIndex(int index);
    // Starts writing the recipe in the background (what the Write button does). The dialog is
    // accepted when it is written; a failure is shown in the dialog, which stays open.
    void startWriting();
    bool isWriting() const { return m_job.isRunning(); }
    const ft::ClusterRecipe &recipe() const { return m_recipe; }
    QString errorText() const;

public Q_SLOTS:
    // While writing: stops the job first (its temporary folder is removed), then closes.
    void reject() override;

private:
    struct Outcome
    {
        ft::ClusterRecipe recipe;
        std::optional<JobFailure> failure;
    };

    void browse();
    void onFinished(const Outcome &outcome);
    void setInputsEnabled(bool enabled);

    ft::TrainingConfig m_config;
    ft::ClusterRecipe m_recipe;
    QLineEdit *m_folder = nullptr;
    QComboBox *m_deepSpeed = nullptr;
    QLineEdit *m_modelId = nullptr;
    QLabel *m_error = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_writeButton = nullptr;
    bool m_closeWhenStopped = false;
    BackgroundJob<Outcome> m_job;  // last: destroyed (cancelled and waited for) first
};

} // namespace ftui
