#include "layermappanel.h"

#include "layermap.h"
#include "theme.h"

#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace ftui {

LayerMapPanel::LayerMapPanel(QWidget *parent) : QWidget(parent)
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(8);
    // The legend in two rows of two and the hint below: in one row they widened the window
    // past 1024 pixels.
    auto *legend = new QGridLayout;
    legend->setHorizontalSpacing(6);
    legend->setVerticalSpacing(4);
    int cell = 0;
    auto swatch = [&](const QColor &color, const QString &text) {
        auto *box = new QLabel;
        box->setFixedSize(14, 14);
        box->setStyleSheet(QStringLiteral("background:%1;border-radius:3px;").arg(color.name(QColor::HexArgb)));
        const int row = cell / 2, column = (cell % 2) * 2;
        legend->addWidget(box, row, column);
        legend->addWidget(new QLabel(text), row, column + 1);
        ++cell;
    };
    QColor frozen = LayerMap::frozenColor(palette());
    frozen.setAlpha(160);
    swatch(frozen, tr("Frozen"));
    swatch(LayerMap::trainableColor(), tr("Trainable"));
    swatch(LayerMap::loraColor(), tr("LoRA / adapter"));
    swatch(LayerMap::stageColor(1), tr("Later stage"));
    legend->setColumnStretch(4, 1);
    auto *hint = new QLabel(tr("lm_head on top, embeddings at the bottom"));
    theme::makeSecondary(hint);
    hint->setWordWrap(true);
    legend->addWidget(hint, 2, 0, 1, 5);
    v->addLayout(legend);

    m_map = new LayerMap;
    auto *scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("layerMapScroll"));
    scroll->setWidget(m_map);
    scroll->setWidgetResizable(true);
    // Narrow windows scroll the map sideways rather than growing the window.
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
    v->addWidget(scroll, 1);
}

} // namespace ftui
