#include "layermappanel.h"

#include "layermap.h"
#include "theme.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

namespace ftui {

LayerMapPanel::LayerMapPanel(QWidget *parent) : QWidget(parent)
{
    auto *v = new QVBoxLayout(this);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(8);
    auto *legend = new QHBoxLayout;
    legend->setSpacing(6);
    auto swatch = [&](const QColor &color, const QString &text) {
        auto *box = new QLabel;
        box->setFixedSize(14, 14);
        box->setStyleSheet(QStringLiteral("background:%1;border-radius:3px;").arg(color.name(QColor::HexArgb)));
        legend->addWidget(box);
        legend->addWidget(new QLabel(text));
        legend->addSpacing(10);
    };
    QColor frozen = LayerMap::frozenColor(palette());
    frozen.setAlpha(160);
    swatch(frozen, tr("Frozen"));
    swatch(LayerMap::trainableColor(), tr("Trainable"));
    swatch(LayerMap::loraColor(), tr("LoRA / adapter"));
    swatch(LayerMap::stageColor(1), tr("Later stage"));
    legend->addStretch(1);
    auto *hint = new QLabel(tr("lm_head on top, embeddings at the bottom"));
    theme::makeSecondary(hint);
    legend->addWidget(hint);
    v->addLayout(legend);

    m_map = new LayerMap;
    auto *scroll = new QScrollArea;
    scroll->setObjectName(QStringLiteral("layerMapScroll"));
    scroll->setWidget(m_map);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    v->addWidget(scroll, 1);
}

} // namespace ftui
