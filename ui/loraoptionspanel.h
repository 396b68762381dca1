// LoRA's options: rank, alpha, dropout and the target modules (one check box per linear module
// of the open model, or all-linear).
#pragma once

#include "optionspanel.h"

#include <ft/modelstructure.h>

#include <QList>

namespace ftui {

class LoraOptionsPanel : public OptionsPanel
{
    Q_OBJECT

public:
    explicit LoraOptionsPanel(QWidget *parent = nullptr);

    // One check box per distinct linear module of the model's first block.
    void setStructure(const ft::ModelStructure &structure);
    // Those modules ("q_proj", ...), in the first block's order.
    QStringList modules() const;

    void load(const ft::TrainingConfig &settings) override;
    void store(ft::TrainingConfig &settings) const override;

private:
    QSpinBox *m_r = nullptr;
    QDoubleSpinBox *m_alpha = nullptr;
    QDoubleSpinBox *m_dropout = nullptr;
    QWidget *m_targetBox = nullptr;
    QList<QCheckBox *> m_targets;
    QCheckBox *m_allLinear = nullptr;
};

} // namespace ftui
