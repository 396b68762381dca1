#include "freezeoptionspanel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSpinBox>

#include <algorithm>

namespace ftui {

namespace {

// The config's names (ft::FreezeOptions::modules and ::extra), in the check boxes' order.
const char *const kBlockParts[] = {"attention", "mlp", "norms"};
const char *const kExtraParts[] = {"embeddings", "final_norm", "lm_head"};

} // namespace

FreezeOptionsPanel::FreezeOptionsPanel(QWidget *parent) : OptionsPanel(parent)
{
    m_selection = new QComboBox;
    m_selection->setObjectName(QStringLiteral("freezeSelection"));
    m_selection->addItem(tr("Last N blocks"), QStringLiteral("last"));
    m_selection->addItem(tr("First N blocks"), QStringLiteral("first"));
    m_selection->addItem(tr("Listed blocks"), QStringLiteral("list"));
    connect(m_selection, qOverload<int>(&QComboBox::currentIndexChanged), this, &OptionsPanel::edited);
    m_count = spin(0, 4096, "freezeCount");
    m_blocks = line("freezeBlocks", tr("e.g. 0, 5, 6"));
    m_patterns = line("freezePatterns", tr("regexes on parameter names"));
    form()->addRow(tr("Trainable blocks"), m_selection);
    form()->addRow(tr("N"), m_count);
    form()->addRow(tr("Blocks"), m_blocks);
    form()->addRow(tr("Parts"), checkRow(m_modules, kBlockParts, {tr("Attention"), tr("MLP"), tr("Norms")}));
    form()->addRow(tr("Also"), checkRow(m_extra, kExtraParts, {tr("Embeddings"), tr("Final norm"), tr("lm_head")}));
    form()->addRow(tr("Patterns"), m_patterns);
    addNote(tr("Click a tile, a block's name or drag across the map to freeze or "
               "unfreeze parts."));
}

QWidget *FreezeOptionsPanel::checkRow(QCheckBox **boxes, const char *const *names, const QStringList &labels)
{
    auto *row = new QWidget;
    auto *h = new QHBoxLayout(row);
    h->setContentsMargins(0, 0, 0, 0);
    for (int i = 0; i < 3; ++i) {
        boxes[i] = check(labels[i], (std::string("check_") + names[i]).c_str());
        h->addWidget(boxes[i]);
    }
    h->addStretch(1);
    return row;
}

void FreezeOptionsPanel::load(const ft::TrainingConfig &s)
{
    m_selection->setCurrentIndex(std::max(0, m_selection->findData(QString::fromStdString(s.freeze.blockSelection))));
    m_count->setValue(s.freeze.blockCount);
    QStringList blocks;
    for (int b : s.freeze.blocks)
        blocks << QString::number(b);
    m_blocks->setText(blocks.join(QStringLiteral(", ")));
    for (int i = 0; i < 3; ++i) {
        m_modules[i]->setChecked(contains(s.freeze.modules, kBlockParts[i]));
        m_extra[i]->setChecked(contains(s.freeze.extra, kExtraParts[i]));
    }
    m_patterns->setText(joined(s.freeze.patterns));
    const bool list = s.freeze.blockSelection == "list";
    m_count->setEnabled(!list);
    m_blocks->setEnabled(list);
}

void FreezeOptionsPanel::store(ft::TrainingConfig &s) const
{
    s.freeze.blockSelection = m_selection->currentData().toString().toStdString();
    s.freeze.blockCount = m_count->value();
    s.freeze.blocks.clear();
    for (const QString &b : splitList(m_blocks->text()))
        s.freeze.blocks.push_back(b.toInt());
    s.freeze.modules.clear();
    s.freeze.extra.clear();
    for (int i = 0; i < 3; ++i) {
        if (m_modules[i]->isChecked())
            s.freeze.modules.push_back(kBlockParts[i]);
        if (m_extra[i]->isChecked())
            s.freeze.extra.push_back(kExtraParts[i]);
    }
    s.freeze.patterns = toStd(splitList(m_patterns->text()));
}

} // namespace ftui
