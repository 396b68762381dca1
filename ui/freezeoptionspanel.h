// Freeze's options: which blocks train (last / first N, or a list), which parts of them, extra
// parts outside the blocks, and parameter-name patterns.
#pragma once

#include "optionspanel.h"

class QComboBox;

namespace ftui {

class FreezeOptionsPanel : public OptionsPanel
{
    Q_OBJECT

public:
    explicit FreezeOptionsPanel(QWidget *parent = nullptr);

    void load(const ft::TrainingConfig &settings) override;
    void store(ft::TrainingConfig &settings) const override;

private:
    QWidget *checkRow(QCheckBox **boxes, const char *const *names, const QStringList &labels);

    QComboBox *m_selection = nullptr;
    QSpinBox *m_count = nullptr;
    QLineEdit *m_blocks = nullptr;
    QCheckBox *m_modules[3] = {};
    QCheckBox *m_extra[3] = {};
    QLineEdit *m_patterns = nullptr;
};

} // namespace ftui
