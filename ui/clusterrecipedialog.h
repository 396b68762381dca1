// "Write a cluster recipe...": the run on this page as a LLaMA-Factory recipe for a cluster
// (ft::writeClusterRecipe, the same function as `finetune-cli recipe`): a folder to create, the
// DeepSpeed ZeRO stage and, optionally, the model's name on the cluster. See docs/cluster.md.
#pragma once

#include <ft/clusterrecipe.h>

#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;

namespace ftui {

class ClusterRecipeDialog : public QDialog
{
    Q_OBJECT

public:
    ClusterRecipeDialog(const ft::TrainingConfig &config, QWidget *parent = nullptr);

    void setFolder(const QString &folder);
    // 0: none, 1: ZeRO-2, 2: ZeRO-3.
    void setDeepSpeedIndex(int index);
    // Writes the recipe; false (with the reason shown in the dialog) when it cannot.
    bool write();
    const ft::ClusterRecipe &recipe() const { return m_recipe; }
    QString errorText() const;

private:
    void browse();

    ft::TrainingConfig m_config;
    ft::ClusterRecipe m_recipe;
    QLineEdit *m_folder = nullptr;
    QComboBox *m_deepSpeed = nullptr;
    QLineEdit *m_modelId = nullptr;
    QLabel *m_error = nullptr;
};

} // namespace ftui
