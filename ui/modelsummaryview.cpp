#include "modelsummaryview.h"

#include "displayformat.h"
#include "infocard.h"
#include "theme.h"

#include <ft/model.h>

#include <QCoreApplication>

#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QStyle>
#include <QVBoxLayout>

namespace ftui {

namespace {

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

QString orDash(const QString &text)
{
    return text.isEmpty() ? QStringLiteral("—") : text;
}

// "<s> (1)", or "none".
QString tokenLabel(const ft::Tokenizer &tokenizer, std::optional<int32_t> id)
{
    if (!id)
        return QCoreApplication::translate("ftui::ModelSummaryView", "none");
    return QStringLiteral("%1 (%2)").arg(fromStd(tokenizer.tokenText(*id))).arg(*id);
}

} // namespace

ModelSummaryView::ModelSummaryView(QWidget *parent) : QWidget(parent)
{
    auto *tiles = new QHBoxLayout;
    tiles->setSpacing(16);
    tiles->addWidget(createStatTile(tr("Parameters"), QStringLiteral("parameters")));
    tiles->addWidget(createStatTile(tr("Layers"), QStringLiteral("layers")));
    tiles->addWidget(createStatTile(tr("Context length"), QStringLiteral("context")));
    tiles->addWidget(createStatTile(tr("Vocabulary"), QStringLiteral("vocabulary")));

    auto *architecture = new InfoCard(tr("Architecture"));
    auto *dimensions = new InfoCard(tr("Dimensions"));
    auto *numerics = new InfoCard(tr("Numerics"));
    auto *tokenizer = new InfoCard(tr("Tokenizer"));
    const auto add = [this](InfoCard *card, const QString &name, const QString &key,
                            const QString &toolTip = QString()) {
        m_fields.insert(key, card->addRow(name, key, toolTip));
    };
    add(architecture, tr("Architecture"), QStringLiteral("architecture"));
    add(architecture, tr("Model type"), QStringLiteral("modelType"));
    add(architecture, tr("Format"), QStringLiteral("format"));
    add(architecture, tr("Tied embeddings"), QStringLiteral("tiedEmbeddings"),
        tr("Whether the output projection shares the input embedding matrix"));
    add(dimensions, tr("Hidden size"), QStringLiteral("hiddenSize"));
    add(dimensions, tr("MLP size"), QStringLiteral("mlpSize"),
        tr("Width of the feed-forward (intermediate) layer"));
    add(dimensions, tr("Attention heads"), QStringLiteral("heads"),
        tr("Query heads, with the key/value heads in brackets (fewer means grouped-query "
           "attention)"));
    add(dimensions, tr("Head dimension"), QStringLiteral("headDim"));
    add(numerics, tr("Weights"), QStringLiteral("dtype"),
        tr("The data type stored on disk and the one the engine computes in"));
    add(numerics, tr("RoPE θ"), QStringLiteral("ropeTheta"),
        tr("Base frequency of the rotary position embedding"));
    add(numerics, tr("RoPE scaling"), QStringLiteral("ropeScaling"));
    add(tokenizer, tr("Tokenizer"), QStringLiteral("tokenizer"));
    add(tokenizer, tr("Tokens"), QStringLiteral("tokenizerVocabulary"));
    add(tokenizer, tr("BOS / EOS"), QStringLiteral("specialTokens"),
        tr("Beginning- and end-of-sequence tokens"));
    add(tokenizer, tr("Chat template"), QStringLiteral("chatTemplate"),
        tr("Whether the tokenizer configuration carries a chat template for instruction data"));

    auto *cards = new QGridLayout;
    cards->setSpacing(16);
    cards->addWidget(architecture, 0, 0);
    cards->addWidget(dimensions, 0, 1);
    cards->addWidget(numerics, 1, 0);
    cards->addWidget(tokenizer, 1, 1);
    cards->setColumnStretch(0, 1);
    cards->setColumnStretch(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(16);
    layout->addLayout(tiles);
    layout->addWidget(createWarningBox());
    layout->addLayout(cards);
    layout->addStretch(1);
}

QWidget *ModelSummaryView::createStatTile(const QString &caption, const QString &valueName)
{
    auto *tile = new QFrame;
    tile->setObjectName(QLatin1String(theme::kCardName));
    tile->setStyleSheet(theme::cardStyleSheet());
    auto *captionLabel = new QLabel(caption);
    theme::makeSecondary(captionLabel);
    auto *value = new QLabel;
    value->setObjectName(valueName);
    value->setFont(theme::scaledFont(font(), 1.9, QFont::DemiBold));
    value->setTextFormat(Qt::PlainText);
    value->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_fields.insert(valueName, value);

    auto *layout = new QVBoxLayout(tile);
    layout->setContentsMargins(20, 14, 20, 16);
    layout->setSpacing(4);
    layout->addWidget(captionLabel);
    layout->addWidget(value);
    return tile;
}

QFrame *ModelSummaryView::createWarningBox()
{
    m_warningBox = new QFrame;
    m_warningBox->setObjectName(QStringLiteral("warningBox"));
    m_warningBox->setStyleSheet(theme::warningBoxStyleSheet(m_warningBox->objectName()));
    auto *icon = new QLabel;
    const int iconSize = style()->pixelMetric(QStyle::PM_SmallIconSize) + 4;
    icon->setPixmap(style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(iconSize));
    icon->setAlignment(Qt::AlignTop);
    m_warningText = new QLabel;
    m_warningText->setObjectName(QStringLiteral("warnings"));
    m_warningText->setWordWrap(true);
    m_warningText->setTextFormat(Qt::RichText);
    m_warningText->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QHBoxLayout(m_warningBox);
    layout->setContentsMargins(16, 12, 16, 12);
    layout->setSpacing(12);
    layout->addWidget(icon, 0, Qt::AlignTop);
    layout->addWidget(m_warningText, 1);
    m_warningBox->hide();
    return m_warningBox;
}

void ModelSummaryView::setField(const QString &name, const QString &text, const QString &toolTip)
{
    if (QLabel *label = field(name)) {
        label->setText(orDash(text));
        if (!toolTip.isEmpty())
            label->setToolTip(toolTip);
    }
}

void ModelSummaryView::setModel(const ft::Model &model)
{
    const ft::ModelInfo &info = model.info();
    setField(QStringLiteral("parameters"), format::parameterCount(info.numParameters),
             tr("%L1 parameters").arg(info.numParameters));
    setField(QStringLiteral("layers"), QString::number(info.numLayers));
    setField(QStringLiteral("context"), QString::number(info.contextLength),
             tr("Longest sequence the model was configured for, in tokens"));
    setField(QStringLiteral("vocabulary"), QString::number(info.vocabSize),
             tr("Rows of the model's embedding matrix"));

    setField(QStringLiteral("architecture"), fromStd(info.architecture));
    setField(QStringLiteral("modelType"), fromStd(info.modelType));
    setField(QStringLiteral("format"), format::modelFormat(fromStd(info.format)));
    setField(QStringLiteral("tiedEmbeddings"), format::yesNo(info.tiedEmbeddings));

    setField(QStringLiteral("hiddenSize"), QString::number(info.hiddenSize));
    setField(QStringLiteral("mlpSize"), QString::number(info.intermediateSize));
    const int kvHeads = info.numKvHeads > 0 ? info.numKvHeads : info.numHeads;
    setField(QStringLiteral("heads"), tr("%1 (%2 key/value)").arg(info.numHeads).arg(kvHeads));
    setField(QStringLiteral("headDim"), QString::number(info.headDim));

    setField(QStringLiteral("dtype"),
             QStringLiteral("%1 → %2").arg(fromStd(info.storedDtype), fromStd(info.computeDtype)));
    const QString theta = format::ropeTheta(info.ropeTheta);
    setField(QStringLiteral("ropeTheta"), theta.isEmpty() ? tr("none (learned positions)") : theta);
    setField(QStringLiteral("ropeScaling"),
             info.ropeScaling.empty() ? tr("none") : fromStd(info.ropeScaling));

    const bool hasTokenizer = !info.tokenizer.empty();
    setField(QStringLiteral("tokenizer"), hasTokenizer ? fromStd(info.tokenizer) : tr("none"));
    const ft::Tokenizer *tok = model.tokenizer();
    setField(QStringLiteral("tokenizerVocabulary"),
             tok ? QString::number(tok->vocabSize()) : QString());
    setField(QStringLiteral("specialTokens"),
             tok ? tr("%1 / %2").arg(tokenLabel(*tok, tok->bosId()), tokenLabel(*tok, tok->eosId()))
                 : QString());
    setField(QStringLiteral("chatTemplate"), format::yesNo(info.hasChatTemplate));

    m_warnings.clear();
    for (const std::string &warning : info.warnings)
        m_warnings.append(format::sentence(fromStd(warning)));
    QStringList items;
    for (const QString &warning : m_warnings)
        items.append(m_warnings.size() > 1 ? QStringLiteral("• ") + warning.toHtmlEscaped()
                                           : warning.toHtmlEscaped());
    m_warningText->setText(items.join(QStringLiteral("<br>")));
    m_warningBox->setVisible(!m_warnings.isEmpty());
}

QString ModelSummaryView::fieldText(const QString &name) const
{
    const QLabel *label = field(name);
    return label ? label->text() : QString();
}

} // namespace ftui
