#include "prompttuningoptionspanel.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QSpinBox>

#include <algorithm>

namespace ftui {

PromptTuningOptionsPanel::PromptTuningOptionsPanel(QWidget *parent) : OptionsPanel(parent)
{
    m_tokens = spin(1, 1024, "ptTokens");
    m_init = new QComboBox;
    m_init->setObjectName(QStringLiteral("ptInit"));
    m_init->addItem(tr("Random"), QStringLiteral("random"));
    m_init->addItem(tr("From text"), QStringLiteral("text"));
    connect(m_init, qOverload<int>(&QComboBox::currentIndexChanged), this, &OptionsPanel::edited);
    m_text = line("ptText", tr("e.g. Answer as a careful nurse:"));
    form()->addRow(tr("Virtual tokens"), m_tokens);
    form()->addRow(tr("Initialise"), m_init);
    form()->addRow(tr("Init text"), m_text);
}

void PromptTuningOptionsPanel::load(const ft::TrainingConfig &s)
{
    m_tokens->setValue(s.promptTuning.numVirtualTokens);
    m_init->setCurrentIndex(std::max(0, m_init->findData(QString::fromStdString(s.promptTuning.init))));
    m_text->setText(QString::fromStdString(s.promptTuning.initText));
    m_text->setEnabled(s.promptTuning.init == "text");
}

void PromptTuningOptionsPanel::store(ft::TrainingConfig &s) const
{
    s.promptTuning.numVirtualTokens = m_tokens->value();
    s.promptTuning.init = m_init->currentData().toString().toStdString();
    s.promptTuning.initText = m_text->text().toStdString();
}

} // namespace ftui
