// The layer map with its legend (frozen, trainable, LoRA / adapter, later stage) in a vertical
// scroll area, for the Strategy page.
#pragma once

#include <QWidget>

namespace ftui {

class LayerMap;

class LayerMapPanel : public QWidget
{
    Q_OBJECT

public:
    explicit LayerMapPanel(QWidget *parent = nullptr);
    LayerMap *map() const { return m_map; }

private:
    LayerMap *m_map = nullptr;
};

} // namespace ftui
