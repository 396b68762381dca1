#include "loraoptionspanel.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QSpinBox>

namespace ftui {

namespace {

QString moduleOf(const std::string &fullName)
{
    const QString name = QString::fromStdString(fullName);
    return name.mid(name.lastIndexOf(QLatin1Char('.')) + 1);
}

} // namespace

LoraOptionsPanel::LoraOptionsPanel(QWidget *parent) : OptionsPanel(parent)
{
    m_r = spin(1, 1024, "loraR");
    m_alpha = doubleSpin(0.5, 4096, 1, 1, "loraAlpha");
    m_dropout = doubleSpin(0, 0.9, 2, 0.01, "loraDropout");
    form()->addRow(tr("Rank r"), m_r);
    form()->addRow(tr("Alpha"), m_alpha);
    form()->addRow(tr("Dropout"), m_dropout);
    m_targetBox = new QWidget;
    new QHBoxLayout(m_targetBox);
    m_targetBox->layout()->setContentsMargins(0, 0, 0, 0);
    form()->addRow(tr("Targets"), m_targetBox);
    m_allLinear = check(tr("all-linear (every projection)"), "loraAllLinear");
    form()->addRow(QString(), m_allLinear);
    addNote(tr("Click the module chips on the map to add or remove targets. "
               "Each target adds r × (in + out) parameters per block."));
}

void LoraOptionsPanel::setStructure(const ft::ModelStructure &structure)
{
    for (QCheckBox *box : m_targets)
        delete box;
    m_targets.clear();
    // The model's distinct linear module names, in the order of the first block.
    QStringList modules;
    for (const auto &part : structure.parts)
        if (part.block == 0)
            for (const auto &name : part.linearModules)
                if (!modules.contains(moduleOf(name)))
                    modules << moduleOf(name);
    if (modules.isEmpty())
        modules = {QStringLiteral("q_proj"), QStringLiteral("k_proj"), QStringLiteral("v_proj"),
                   QStringLiteral("o_proj")};
    auto *layout = static_cast<QHBoxLayout *>(m_targetBox->layout());
    // Two rows would read better for 7 modules; a flow of short labels fits the column.
    for (const QString &module : modules) {
        auto *box = new QCheckBox(module.endsWith(QLatin1String("_proj")) ? module.chopped(5) : module);
        box->setObjectName(QStringLiteral("loraTarget_") + module);
        box->setProperty("module", module);
        box->setToolTip(module);
        connect(box, &QCheckBox::toggled, this, &OptionsPanel::edited);
        layout->addWidget(box);
        m_targets << box;
    }
}

QStringList LoraOptionsPanel::modules() const
{
    QStringList out;
    for (const QCheckBox *box : m_targets)
        out << box->property("module").toString();
    return out;
}

void LoraOptionsPanel::load(const ft::TrainingConfig &s)
{
    m_r->setValue(s.lora.r);
    m_alpha->setValue(s.lora.loraAlpha);
    m_dropout->setValue(s.lora.loraDropout);
    m_allLinear->setChecked(s.lora.targetRegex == "all-linear");
    for (QCheckBox *box : m_targets) {
        box->setChecked(contains(s.lora.targetModules, box->property("module").toString().toStdString()));
        box->setEnabled(s.lora.targetRegex != "all-linear");
    }
}

void LoraOptionsPanel::store(ft::TrainingConfig &s) const
{
    s.lora.r = m_r->value();
    s.lora.loraAlpha = m_alpha->value();
    s.lora.loraDropout = m_dropout->value();
    if (m_allLinear->isChecked()) {
        s.lora.targetRegex = "all-linear";
        s.lora.targetModules.clear();
        return;
    }
    if (s.lora.targetRegex == "all-linear")
        s.lora.targetRegex.clear();
    if (!m_targets.isEmpty()) {
        s.lora.targetModules.clear();
        for (QCheckBox *box : m_targets)
            if (box->isChecked())
                s.lora.targetModules.push_back(box->property("module").toString().toStdString());
    }
}

} // namespace ftui
