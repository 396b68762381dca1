// IA3's options: the target modules and the feed-forward ones among them, each a list of names
// or one regex (peft's IA3Config); empty: peft's defaults for the model type.
#pragma once

#include "optionspanel.h"

namespace ftui {

class Ia3OptionsPanel : public OptionsPanel
{
    Q_OBJECT

public:
    explicit Ia3OptionsPanel(QWidget *parent = nullptr);

    void load(const ft::TrainingConfig &settings) override;
    void store(ft::TrainingConfig &settings) const override;

private:
    QLineEdit *m_targets = nullptr;
    QLineEdit *m_feedforward = nullptr;
};

} // namespace ftui
