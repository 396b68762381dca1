#include "strategyadvisor.h"
#include "enumtext.h"

#include "strategynames.h"

#include <ft/memoryestimate.h>
#include <ft/model.h>

#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace ftui {

namespace {

QString bytesText(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeTraditionalFormat);
}

} // namespace

StrategyAdvisor::StrategyAdvisor(QWidget *parent) : QGroupBox(tr("Advisor"), parent)
{
    auto *layout = new QVBoxLayout(this);
    auto *form = new QFormLayout;
    form->setLabelAlignment(Qt::AlignLeft);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setHorizontalSpacing(12);
    form->setVerticalSpacing(7);
    m_rows = new QSpinBox;
    m_rows->setObjectName(QStringLiteral("datasetRows"));
    m_rows->setRange(0, 2000000000);
    m_rows->setGroupSeparatorShown(true);
    m_rows->setValue(1000);
    m_rows->setToolTip(tr("Rows in the training data (filled from the chosen data file)."));
    m_rowsLabel = new QLabel(tr("Rows in the dataset"));
    form->addRow(m_rowsLabel, m_rows);
    layout->addLayout(form);
    m_advice = new QLabel;
    m_advice->setObjectName(QStringLiteral("advice"));
    m_advice->setWordWrap(true);
    m_advice->setTextFormat(Qt::RichText);
    layout->addWidget(m_advice);
    m_apply = new QPushButton(tr("Use this strategy"));
    m_apply->setObjectName(QStringLiteral("applyAdvice"));
    m_recipe = new QPushButton(tr("Write a cluster recipe…"));
    m_recipe->setObjectName(QStringLiteral("writeClusterRecipe"));
    m_recipe->setToolTip(tr("Writes this run for LLaMA-Factory with DeepSpeed on several machines: "
                            "training YAML, data, DeepSpeed configuration and launch commands."));
    m_recipe->hide();
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_apply);
    buttons->addWidget(m_recipe);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    connect(m_rows, qOverload<int>(&QSpinBox::valueChanged), this, &StrategyAdvisor::rowsChanged);
    connect(m_apply, &QPushButton::clicked, this, [this] { Q_EMIT applyRequested(m_advised); });
    connect(m_recipe, &QPushButton::clicked, this, &StrategyAdvisor::clusterRecipeRequested);
}

QString StrategyAdvisor::advisedStrategy(qint64 rows)
{
    if (rows < 100000)
        return QStringLiteral("lora");
    if (rows <= 1000000)
        return QStringLiteral("freeze");
    return QStringLiteral("full");
}

void StrategyAdvisor::setDatasetRows(qint64 rows)
{
    setCountsTokens(false);
    m_rows->setValue(int(std::min<qint64>(rows, m_rows->maximum())));
}

void StrategyAdvisor::setDatasetTokens(qint64 tokens)
{
    setCountsTokens(true);
    m_rows->setValue(int(std::min<qint64>(tokens, m_rows->maximum())));
}

void StrategyAdvisor::setCountsTokens(bool tokens)
{
    if (tokens == m_countsTokens)
        return;
    m_countsTokens = tokens;
    m_rowsLabel->setText(tokens ? tr("Tokens in the documents") : tr("Rows in the dataset"));
    m_rows->setToolTip(tokens ? tr("Tokens in the training documents (counted with the model's "
                                   "tokenizer, an end-of-text token after each); training packs "
                                   "them into rows of the cutoff length.")
                              : tr("Rows in the training data (filled from the chosen data file)."));
    Q_EMIT rowsChanged();
}

QString StrategyAdvisor::adviceText() const
{
    return m_advice->text();
}

void StrategyAdvisor::refresh(const ft::Model *model, const ft::ModelStructure &structure,
                              const ft::TrainingConfig &s, const QString &current)
{
    const qint64 count = m_rows->value();
    const qint64 cutoff = std::max<qint64>(1, s.cutoffLen);
    const qint64 rows = m_countsTokens ? (count + cutoff - 1) / cutoff : count;
    const QString rule = advisedStrategy(rows);
    const QString rowsText = QLocale().toString(rows);
    QString why;
    if (m_countsTokens)
        why = tr("%1 tokens of documents pack into %2 rows of %3 tokens. ")
                  .arg(QLocale().toString(count), rowsText, QString::number(cutoff));
    if (rule == QLatin1String("lora"))
        why += tr("%1 rows is under 100k: the article advises parameter-efficient tuning such as "
                 "LoRA; full training would overfit so little data and costs far more memory.")
                  .arg(rowsText);
    else if (rule == QLatin1String("freeze"))
        why += tr("%1 rows is between 100k and 1M: the article advises partial tuning, training "
                 "the top blocks while the lower ones stay frozen.")
                  .arg(rowsText);
    else
        why += tr("%1 rows is over 1M: the article advises full fine-tuning, on several machines "
                 "at this scale.")
                  .arg(rowsText);

    m_advised = rule;
    bool ruleDoesNotFit = false;
    const qint64 available = ft::physicalMemoryBytes();
    if (model && available > 0) {
        auto estimate = [&](const QString &method) {
            ft::MemoryStrategy ms;
            ms.method = method == QLatin1String("full")     ? ft::TuningMethod::Full
                        : method == QLatin1String("freeze") ? ft::TuningMethod::Freeze
                                                            : ft::TuningMethod::Lora;
            ms.loraR = s.lora.r;
            ms.trainableShare = structure.blockCount > 0 ? std::min(1.0, 2.0 / structure.blockCount) : 0.25;
            // The person's memory savers: checkpointing for every method, a compact base for LoRA.
            ms.gradientCheckpointing = s.gradientCheckpointing;
            if (ms.method == ft::TuningMethod::Lora)
                ms.basePrecision = ft::parseBasePrecision(s.basePrecision).value_or(ft::BasePrecision::Fp32);
            return ft::estimateTrainingMemory(model->info(), ms, s.perDeviceTrainBatchSize, int(s.cutoffLen))
                .total();
        };
        // Step down (full -> freeze -> LoRA) until the estimate fits this machine.
        QString chosen = rule;
        qint64 needed = estimate(chosen);
        ft::MemoryVerdict verdict = ft::memoryVerdict(needed, available);
        ruleDoesNotFit = verdict == ft::MemoryVerdict::DoesNotFit;
        QString memory;
        while (verdict == ft::MemoryVerdict::DoesNotFit && chosen != QLatin1String("lora")) {
            const QString next = chosen == QLatin1String("full") ? QStringLiteral("freeze")
                                                                 : QStringLiteral("lora");
            memory += tr(" %1 would need about %2 of this machine's %3 RAM, which does not fit;")
                          .arg(strategyTitle(chosen), bytesText(needed), bytesText(available));
            chosen = next;
            needed = estimate(chosen);
            verdict = ft::memoryVerdict(needed, available);
        }
        memory += tr(" %1 needs about %2 of %3 RAM here at batch %4 and cutoff %5 (%6).")
                      .arg(strategyTitle(chosen), bytesText(needed), bytesText(available),
                           QString::number(s.perDeviceTrainBatchSize), QString::number(s.cutoffLen),
                           memoryVerdictText(verdict));
        why += memory;
        m_advised = chosen;
    }
    m_advice->setText(QStringLiteral("<b>%1</b><br>%2")
                          .arg(tr("Advice: %1").arg(strategyTitle(m_advised)), why.toHtmlEscaped()));
    m_apply->setEnabled(m_advised != current);
    m_offersRecipe = rows > 1000000 || ruleDoesNotFit;
    m_recipe->setVisible(m_offersRecipe);
}

} // namespace ftui
