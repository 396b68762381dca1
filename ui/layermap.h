// The layer map: a model's structure (ft::describeModel) drawn as a vertical stack of tiles, the
// embeddings at the bottom and lm_head at the top, each decoder block as its attention, MLP and
// norm parts; coloured by a training plan (ft::planTraining): frozen, trainable, LoRA-targeted,
// with the progressive stages as bands beside the blocks. Clicking or drag-selecting tiles asks
// to freeze / unfreeze them; clicking a module chip (q, k, v, o, gate, up, down) asks to toggle
// that LoRA target. The map only draws and asks: the Strategy page decides.
#pragma once

#include <ft/modelstructure.h>

#include <QHash>
#include <QSet>
#include <QStringList>
#include <QWidget>

namespace ftui {

class LayerMap : public QWidget
{
    Q_OBJECT

public:
    explicit LayerMap(QWidget *parent = nullptr);

    void setStructure(const ft::ModelStructure &structure);
    // The plan to colour by (its parts in the structure's order).
    void setPlan(const ft::TrainingPlan &plan);
    void clear();
    bool isEmpty() const { return m_structure.parts.empty(); }

    // Where a part's tile / a module chip is drawn (for tests and tooltips); empty when absent.
    QRect partRect(const QString &partId) const;
    QRect chipRect(const QString &partId, const QString &module) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

    // The colours of the legend.
    static QColor frozenColor(const QPalette &palette);
    static QColor trainableColor();
    static QColor loraColor();
    static QColor stageColor(int stage);

Q_SIGNALS:
    // The user clicked or drag-selected these parts; `trainable`: what they should become.
    void partsToggled(const QStringList &partIds, bool trainable);
    // The user clicked a module chip: "q_proj", "up_proj", "c_attn", ...
    void loraModuleToggled(const QString &module);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    bool event(QEvent *event) override;

private:
    struct Tile
    {
        int part = -1;  // index into m_structure.parts
        int row = 0;    // 0: top row
        int column = 0; // 0..2 in a block (attention, mlp, norms); 0 and span 3 outside
        int span = 1;
        QRect rect;
        QList<QPair<QString, QRect>> chips;  // module name -> rect
    };
    struct Cell
    {
        int row = -1, column = -1;
    };

    void layoutTiles();
    int rowCount() const;
    int tileAt(const QPoint &pos) const;
    Cell cellAt(const QPoint &pos) const;  // row and column (label area: column -1)
    QStringList partsInSelection(const Cell &a, const Cell &b) const;
    const ft::PartTraining *training(int part) const;
    QString tileTitle(const ft::ModelPart &part) const;

    ft::ModelStructure m_structure;
    ft::TrainingPlan m_plan;
    bool m_hasPlan = false;
    QHash<QString, int> m_planIndex;  // part id -> index in m_plan.parts
    QList<Tile> m_tiles;
    QHash<QString, int> m_tileOfPart;
    int m_laidOutWidth = -1;
    Cell m_anchor;
    Cell m_current;
    bool m_dragging = false;
};

} // namespace ftui
