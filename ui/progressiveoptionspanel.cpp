#include "progressiveoptionspanel.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QSpinBox>

namespace ftui {

ProgressiveOptionsPanel::ProgressiveOptionsPanel(QWidget *parent) : OptionsPanel(parent)
{
    m_initial = spin(0, 4096, "progInitial");
    m_stages = spin(0, 4096, "progStages");
    m_blocksPerStage = spin(1, 4096, "progBlocksPerStage");
    m_lrFactor = doubleSpin(0.01, 10, 2, 0.1, "progLrFactor");
    form()->addRow(tr("Blocks at start"), m_initial);
    form()->addRow(tr("Stages"), m_stages);
    form()->addRow(tr("Blocks per stage"), m_blocksPerStage);
    form()->addRow(tr("LR factor"), m_lrFactor);
    addNote(tr("Training starts with the top blocks; each epoch the next blocks downwards join "
               "(stage bands beside the map). Stages 0: one block per epoch until all train."));
}

void ProgressiveOptionsPanel::load(const ft::TrainingConfig &s)
{
    m_initial->setValue(s.progressive.initialBlocks);
    m_stages->setValue(int(s.progressive.stages.size()));
    m_blocksPerStage->setValue(s.progressive.stages.empty() ? 1 : s.progressive.stages.front().blocks);
    m_lrFactor->setValue(s.progressive.stages.empty() ? 1.0 : s.progressive.stages.front().lrFactor);
}

void ProgressiveOptionsPanel::store(ft::TrainingConfig &s) const
{
    s.progressive.initialBlocks = m_initial->value();
    s.progressive.stages.clear();
    for (int i = 0; i < m_stages->value(); ++i) {
        ft::ProgressiveStage stage;
        stage.atEpoch = i + 1;
        stage.blocks = m_blocksPerStage->value();
        stage.lrFactor = m_lrFactor->value();
        s.progressive.stages.push_back(stage);
    }
}

} // namespace ftui
