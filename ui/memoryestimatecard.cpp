#include "memoryestimatecard.h"
#include "enumtext.h"

#include "displayformat.h"
#include "theme.h"

#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace ftui {

namespace {

QColor verdictColor(ft::MemoryVerdict verdict)
{
    switch (verdict) {
    case ft::MemoryVerdict::Fits: return QColor(46, 160, 90);
    case ft::MemoryVerdict::Tight: return theme::warningAccent();
    case ft::MemoryVerdict::DoesNotFit: return QColor(210, 60, 60);
    }
    return {};
}

} // namespace

MemoryEstimateCard::MemoryEstimateCard(const QString &title, QWidget *parent) : QFrame(parent)
{
    setObjectName(QLatin1String(theme::kCardName));
    setStyleSheet(theme::cardStyleSheet());
    m_title = new QLabel(title.toUpper());
    m_title->setFont(theme::scaledFont(font(), 0.82, QFont::Bold));
    theme::makeSecondary(m_title);
    m_grid = new QGridLayout;
    m_grid->setHorizontalSpacing(18);
    m_grid->setVerticalSpacing(8);
    m_footer = new QLabel;
    m_footer->setObjectName(QStringLiteral("memoryFooter"));
    m_footer->setWordWrap(true);
    theme::makeSecondary(m_footer);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(20, 16, 20, 18);
    layout->setSpacing(12);
    layout->addWidget(m_title);
    layout->addLayout(m_grid);
    layout->addWidget(m_footer);
    rebuild();
}

QString MemoryEstimateCard::bytes(qint64 count)
{
    const double mib = double(count) / (1024.0 * 1024.0);
    if (mib >= 1024.0)
        return tr("%1 GiB").arg(mib / 1024.0, 0, 'f', mib >= 10240.0 ? 0 : 1);
    if (mib >= 10.0)
        return tr("%1 MiB").arg(qRound(mib));
    return tr("%1 MiB").arg(mib, 0, 'f', 1);
}

QList<QPair<QString, ft::MemoryStrategy>> MemoryEstimateCard::standardStrategies()
{
    ft::MemoryStrategy full;
    full.method = ft::TuningMethod::Full;
    ft::MemoryStrategy freeze;
    freeze.method = ft::TuningMethod::Freeze;
    freeze.trainableShare = 0.25;
    ft::MemoryStrategy lora;
    lora.method = ft::TuningMethod::Lora;
    ft::MemoryStrategy ia3;
    ia3.method = ft::TuningMethod::Ia3;
    ft::MemoryStrategy prompt;
    prompt.method = ft::TuningMethod::PromptTuning;
    return {{tr("Full fine-tuning"), full},
            {tr("Freeze (¼ trains)"), freeze},
            {tr("LoRA r 8 (q, v)"), lora},
            {tr("IA3"), ia3},
            {tr("Prompt tuning (20)"), prompt}};
}

void MemoryEstimateCard::setModelInfo(const ft::ModelInfo &info)
{
    m_info = info;
    m_hasModel = true;
    rebuild();
}

void MemoryEstimateCard::clearModel()
{
    m_hasModel = false;
    rebuild();
}

void MemoryEstimateCard::setStrategies(const QList<QPair<QString, ft::MemoryStrategy>> &strategies)
{
    m_strategies = strategies;
    rebuild();
}

void MemoryEstimateCard::setBatchAndCutoff(int batchSize, int cutoffLen)
{
    if (batchSize == m_batch && cutoffLen == m_cutoff)
        return;
    m_batch = batchSize;
    m_cutoff = cutoffLen;
    rebuild();
}

void MemoryEstimateCard::setCompact(bool compact)
{
    m_compact = compact;
    rebuild();
}

QString MemoryEstimateCard::verdict(int row) const
{
    return m_verdicts.value(row);
}

ft::MemoryEstimate MemoryEstimateCard::estimate(int row) const
{
    return m_estimates.value(row);
}

void MemoryEstimateCard::rebuild()
{
    qDeleteAll(m_cells);
    m_cells.clear();
    m_estimates.clear();
    m_verdicts.clear();
    const qint64 ram = ft::physicalMemoryBytes();
    const std::optional<int64_t> vram = ft::acceleratorMemoryBytes();
    const qint64 available = vram ? *vram : ram;
    if (!m_hasModel) {
        m_footer->setText(tr("Open a model to see how much memory training it takes."));
        return;
    }

    auto cell = [this](const QString &text, int row, int column, bool header,
                       Qt::Alignment align = Qt::AlignRight) {
        auto *label = new QLabel(text);
        label->setTextFormat(Qt::PlainText);
        if (header) {
            theme::makeSecondary(label);
        }
        m_grid->addWidget(label, row, column, align | Qt::AlignVCenter);
        m_cells.append(label);
        return label;
    };
    QStringList headers = m_compact
                              ? QStringList{tr("Strategy"), tr("Total"), QString()}
                              : QStringList{tr("Strategy"), tr("Trainable"), tr("Weights"),
                                            tr("Gradients"), tr("Optimizer"), tr("Activations"),
                                            tr("Total"), QString()};
    for (int c = 0; c < headers.size(); ++c)
        cell(headers[c], 0, c, true, c == 0 ? Qt::AlignLeft : Qt::AlignRight);
    int row = 1;
    for (const auto &[name, strategy] : std::as_const(m_strategies)) {
        const ft::MemoryEstimate e = ft::estimateTrainingMemory(m_info, strategy, m_batch, m_cutoff);
        const ft::MemoryVerdict verdict = ft::memoryVerdict(e.total(), available);
        m_estimates.append(e);
        m_verdicts.append(QString::fromLatin1(ft::memoryVerdictName(verdict)));
        int c = 0;
        cell(name, row, c++, false, Qt::AlignLeft);
        if (!m_compact) {
            cell(format::parameterCount(e.trainableParameters), row, c++, false);
            cell(bytes(e.weights), row, c++, false);
            cell(bytes(e.gradients), row, c++, false);
            cell(bytes(e.optimizer), row, c++, false);
            cell(bytes(e.activations), row, c++, false);
        }
        QLabel *total = cell(bytes(e.total()), row, c++, false);
        total->setFont(theme::scaledFont(font(), 1.0, QFont::DemiBold));
        QLabel *badge = cell(memoryVerdictText(verdict), row, c, false, Qt::AlignLeft);
        badge->setObjectName(QStringLiteral("verdict%1").arg(row - 1));
        const QColor color = verdictColor(verdict);
        badge->setStyleSheet(QStringLiteral("QLabel { color: white; background: %1; border-radius: "
                                            "8px; padding: 1px 8px; font-weight: 600; }")
                                 .arg(color.name()));
        badge->setToolTip(tr("%1 of %2 %3 (%4 %)")
                              .arg(bytes(e.total()), bytes(available),
                                   vram ? tr("GPU memory") : tr("RAM"))
                              .arg(available > 0 ? 100.0 * double(e.total()) / double(available) : 0,
                                   0, 'f', 0));
        ++row;
    }
    m_grid->setColumnStretch(0, 1);
    m_footer->setText(
        tr("Batch %1 × cutoff %2 tokens, fp32 on the CPU (AdamW keeps two fp32 values per trainable "
           "parameter). This machine: %3 RAM%4. Tight: over 80 %.")
            .arg(m_batch)
            .arg(m_cutoff)
            .arg(bytes(ram), vram ? tr(", %1 GPU memory").arg(bytes(*vram)) : tr(", no GPU")));
}

} // namespace ftui
