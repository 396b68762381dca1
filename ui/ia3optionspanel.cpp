#include "ia3optionspanel.h"

#include <QFormLayout>
#include <QLineEdit>
#include <QRegularExpression>

namespace ftui {

namespace {

// One item that is all-linear or looks like a regex is peft's regex form; anything else a list.
void regexOrList(const QString &text, std::vector<std::string> &list, std::string &regex)
{
    const QStringList items = splitList(text);
    list.clear();
    regex.clear();
    if (items.size() == 1 && (items.first() == QLatin1String("all-linear") ||
                              items.first().contains(QRegularExpression(QStringLiteral("[\\\\^$*+?()|\\[]")))))
        regex = items.first().toStdString();
    else
        list = toStd(items);
}

} // namespace

Ia3OptionsPanel::Ia3OptionsPanel(QWidget *parent) : OptionsPanel(parent)
{
    m_targets = line("ia3Targets", tr("peft defaults (k_proj, v_proj, down_proj)"));
    m_feedforward = line("ia3Feedforward", tr("peft defaults (down_proj)"));
    form()->addRow(tr("Targets"), m_targets);
    form()->addRow(tr("Feed-forward"), m_feedforward);
    addNote(tr("IA3 learns one scaling vector per target: the fewest parameters of the adapter "
               "methods."));
}

void Ia3OptionsPanel::load(const ft::TrainingConfig &s)
{
    m_targets->setText(s.ia3.targetRegex.empty() ? joined(s.ia3.targetModules)
                                                 : QString::fromStdString(s.ia3.targetRegex));
    m_feedforward->setText(s.ia3.feedforwardRegex.empty() ? joined(s.ia3.feedforwardModules)
                                                          : QString::fromStdString(s.ia3.feedforwardRegex));
}

void Ia3OptionsPanel::store(ft::TrainingConfig &s) const
{
    regexOrList(m_targets->text(), s.ia3.targetModules, s.ia3.targetRegex);
    regexOrList(m_feedforward->text(), s.ia3.feedforwardModules, s.ia3.feedforwardRegex);
}

} // namespace ftui
