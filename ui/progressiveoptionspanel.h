// Progressive unfreezing's options: the blocks that train from the start, then stages of blocks
// joining one epoch apart, with a learning-rate factor.
#pragma once

#include "optionspanel.h"

namespace ftui {

class ProgressiveOptionsPanel : public OptionsPanel
{
    Q_OBJECT

public:
    explicit ProgressiveOptionsPanel(QWidget *parent = nullptr);

    void load(const ft::TrainingConfig &settings) override;
    void store(ft::TrainingConfig &settings) const override;

private:
    QSpinBox *m_initial = nullptr;
    QSpinBox *m_stages = nullptr;
    QSpinBox *m_blocksPerStage = nullptr;
    QDoubleSpinBox *m_lrFactor = nullptr;
};

} // namespace ftui
