#include "optionspanel.h"

#include "theme.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QRegularExpression>
#include <QSpinBox>

#include <algorithm>

namespace ftui {

OptionsPanel::OptionsPanel(QWidget *parent) : QWidget(parent) {}

void OptionsPanel::load(const ft::TrainingConfig &) {}

void OptionsPanel::store(ft::TrainingConfig &) const {}

void OptionsPanel::addNote(const QString &text)
{
    form()->addRow(note(text));
}

QFormLayout *OptionsPanel::form()
{
    if (!m_form) {
        m_form = new QFormLayout(this);
        m_form->setLabelAlignment(Qt::AlignLeft);
        m_form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
        m_form->setHorizontalSpacing(12);
        m_form->setVerticalSpacing(7);
        m_form->setContentsMargins(0, 6, 0, 0);
    }
    return m_form;
}

QSpinBox *OptionsPanel::spin(int lo, int hi, const char *name)
{
    auto *s = new QSpinBox;
    s->setRange(lo, hi);
    s->setObjectName(QLatin1String(name));
    connect(s, qOverload<int>(&QSpinBox::valueChanged), this, &OptionsPanel::edited);
    return s;
}

QDoubleSpinBox *OptionsPanel::doubleSpin(double lo, double hi, int decimals, double step, const char *name)
{
    auto *s = new QDoubleSpinBox;
    s->setRange(lo, hi);
    s->setDecimals(decimals);
    s->setSingleStep(step);
    s->setObjectName(QLatin1String(name));
    connect(s, qOverload<double>(&QDoubleSpinBox::valueChanged), this, &OptionsPanel::edited);
    return s;
}

QLineEdit *OptionsPanel::line(const char *name, const QString &placeholder)
{
    auto *e = new QLineEdit;
    e->setObjectName(QLatin1String(name));
    e->setPlaceholderText(placeholder);
    connect(e, &QLineEdit::editingFinished, this, &OptionsPanel::edited);
    return e;
}

QCheckBox *OptionsPanel::check(const QString &text, const char *name)
{
    auto *box = new QCheckBox(text);
    box->setObjectName(QLatin1String(name));
    connect(box, &QCheckBox::toggled, this, &OptionsPanel::edited);
    return box;
}

QLabel *OptionsPanel::note(const QString &text)
{
    auto *l = new QLabel(text);
    l->setWordWrap(true);
    theme::makeSecondary(l);
    return l;
}

QStringList splitList(const QString &text)
{
    return text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts);
}

std::vector<std::string> toStd(const QStringList &list)
{
    std::vector<std::string> out;
    for (const QString &s : list)
        out.push_back(s.toStdString());
    return out;
}

QString joined(const std::vector<std::string> &list)
{
    QStringList out;
    for (const auto &s : list)
        out << QString::fromStdString(s);
    return out.join(QStringLiteral(", "));
}

bool contains(const std::vector<std::string> &list, const std::string &value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
}

} // namespace ftui
