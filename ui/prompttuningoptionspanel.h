// Prompt tuning's options: the number of virtual tokens and how they start (random, or the
// embeddings of a text's tokens).
#pragma once

#include "optionspanel.h"

class QComboBox;

namespace ftui {

class PromptTuningOptionsPanel : public OptionsPanel
{
    Q_OBJECT

public:
    explicit PromptTuningOptionsPanel(QWidget *parent = nullptr);

    void load(const ft::TrainingConfig &settings) override;
    void store(ft::TrainingConfig &settings) const override;

private:
    QSpinBox *m_tokens = nullptr;
    QComboBox *m_init = nullptr;
    QLineEdit *m_text = nullptr;
};

} // namespace ftui
