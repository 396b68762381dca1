#include "layermap.h"

#include "displayformat.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <iterator>

namespace ftui {

namespace {

constexpr int kMargin = 8;
constexpr int kBandWidth = 16;    // the progressive stage band
constexpr int kLabelWidth = 66;   // "Block 31"
constexpr int kGap = 4;
constexpr int kMinTileWidth = 120;

int rowHeight(int blockCount)
{
    return blockCount > 24 ? 24 : 30;
}

// "q_proj" -> "q", "gate_proj" -> "gate"; GPT-2's "c_attn" stays.
QString shortModule(const QString &module)
{
    return module.endsWith(QLatin1String("_proj")) ? module.chopped(5) : module;
}

QString moduleName(const std::string &fullName)
{
    const QString name = QString::fromStdString(fullName);
    return name.mid(name.lastIndexOf(QLatin1Char('.')) + 1);
}

int columnOf(const std::string &kind)
{
    if (kind == "mlp")
        return 1;
    if (kind == "norms")
        return 2;
    return 0;
}

} // namespace

LayerMap::LayerMap(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("layerMap"));
    setMouseTracking(false);
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

QColor LayerMap::frozenColor(const QPalette &palette)
{
    QColor c = palette.color(QPalette::Mid);
    c.setAlpha(90);
    return c;
}

QColor LayerMap::trainableColor()
{
    return QColor(46, 160, 67);
}

QColor LayerMap::loraColor()
{
    return QColor(137, 87, 229);
}

QColor LayerMap::stageColor(int stage)
{
    static const QColor colors[] = {QColor(46, 160, 67), QColor(31, 136, 229), QColor(230, 145, 30),
                                    QColor(200, 70, 120), QColor(20, 160, 160), QColor(150, 110, 60)};
    return colors[std::max(0, stage) % int(std::size(colors))];
}

void LayerMap::setStructure(const ft::ModelStructure &structure)
{
    m_structure = structure;
    m_hasPlan = false;
    m_planIndex.clear();
    m_laidOutWidth = -1;
    updateGeometry();
    resize(width(), sizeHint().height());
    update();
}

void LayerMap::setPlan(const ft::TrainingPlan &plan)
{
    m_plan = plan;
    m_hasPlan = true;
    m_planIndex.clear();
    for (int i = 0; i < int(plan.parts.size()); ++i)
        m_planIndex.insert(QString::fromStdString(plan.parts[size_t(i)].id), i);
    update();
}

void LayerMap::clear()
{
    setStructure({});
}

int LayerMap::rowCount() const
{
    return int(m_structure.parts.size()) == 0
               ? 0
               : m_structure.blockCount +
                     int(std::count_if(m_structure.parts.begin(), m_structure.parts.end(),
                                       [](const ft::ModelPart &p) { return p.block < 0; }));
}

QSize LayerMap::sizeHint() const
{
    const int rows = rowCount();
    const int h = rows == 0 ? 120 : 2 * kMargin + rows * (rowHeight(m_structure.blockCount) + kGap);
    return {kBandWidth + kLabelWidth + 3 * kMinTileWidth + 4 * kMargin, h};
}

QSize LayerMap::minimumSizeHint() const
{
    return sizeHint();
}

const ft::PartTraining *LayerMap::training(int part) const
{
    if (!m_hasPlan || part < 0 || part >= int(m_structure.parts.size()))
        return nullptr;
    auto it = m_planIndex.find(QString::fromStdString(m_structure.parts[size_t(part)].id));
    return it == m_planIndex.end() ? nullptr : &m_plan.parts[size_t(*it)];
}

QString LayerMap::tileTitle(const ft::ModelPart &part) const
{
    if (part.kind == "embeddings")
        return tr("Embeddings");
    if (part.kind == "attention")
        return tr("Attention");
    if (part.kind == "mlp")
        return tr("MLP");
    if (part.kind == "norms")
        return tr("Norms");
    if (part.kind == "final_norm")
        return tr("Final norm");
    if (part.kind == "lm_head")
        return tr("lm_head");
    return QString::fromStdString(part.kind);
}

void LayerMap::layoutTiles()
{
    if (m_laidOutWidth == width())
        return;
    m_laidOutWidth = width();
    m_tiles.clear();
    m_tileOfPart.clear();
    const int rowH = rowHeight(m_structure.blockCount);
    const int left = kMargin + kBandWidth + kLabelWidth;
    const int usable = std::max(3 * kMinTileWidth, width() - left - kMargin);
    const int widths[3] = {usable * 41 / 100, usable * 39 / 100, 0};
    const int colX[3] = {left, left + widths[0], left + widths[0] + widths[1]};
    const int colW[3] = {widths[0] - kGap, widths[1] - kGap, usable - widths[0] - widths[1]};
    const QFontMetrics fm(font());

    // Rows from the top: the parts after the blocks (final norm, lm_head) in reverse, the blocks
    // from the last down, then the parts before them (embeddings).
    const int rows = rowCount();
    for (int i = 0; i < int(m_structure.parts.size()); ++i) {
        const ft::ModelPart &part = m_structure.parts[size_t(i)];
        Tile tile;
        tile.part = i;
        if (part.block >= 0) {
            tile.row = rows - 1 - (part.block + 1);  // the embeddings row is the bottom one
            tile.column = columnOf(part.kind);
        } else {
            // Outside parts: before the blocks (embeddings) at the bottom, after them on top.
            const bool below = part.kind == "embeddings";
            int index = 0;  // position among the outside parts on its side
            for (int j = 0; j < i; ++j)
                if (m_structure.parts[size_t(j)].block < 0 &&
                    (m_structure.parts[size_t(j)].kind == "embeddings") == below)
                    ++index;
            tile.row = below ? rows - 1 - index : [&] {
                int after = 0;  // outside parts above the blocks, counted from the top
                for (int j = int(m_structure.parts.size()) - 1; j > i; --j)
                    if (m_structure.parts[size_t(j)].block < 0 &&
                        m_structure.parts[size_t(j)].kind != "embeddings")
                        ++after;
                return after;
            }();
            tile.span = 3;
        }
        const int y = kMargin + tile.row * (rowH + kGap);
        const int x = colX[tile.column];
        const int w = tile.span == 3 ? usable : colW[tile.column];
        tile.rect = QRect(x, y, w, rowH);
        // Module chips, right-aligned inside the tile.
        int chipRight = tile.rect.right() - 4;
        QList<QPair<QString, QRect>> chips;
        for (auto it = part.linearModules.rbegin(); it != part.linearModules.rend(); ++it) {
            const QString module = moduleName(*it);
            const int cw = fm.horizontalAdvance(shortModule(module)) + 12;
            const QRect r(chipRight - cw, y + 4, cw, rowH - 8);
            chipRight -= cw + 3;
            chips.prepend({module, r});
        }
        // Only when the title and the count still fit beside them.
        if (!chips.isEmpty() &&
            chips.first().second.left() - tile.rect.left() <
                fm.horizontalAdvance(tileTitle(part) + QStringLiteral("  888.8 M")) + 12)
            chips.clear();
        tile.chips = chips;
        m_tileOfPart.insert(QString::fromStdString(part.id), int(m_tiles.size()));
        m_tiles.push_back(tile);
    }
}

QRect LayerMap::partRect(const QString &partId) const
{
    const_cast<LayerMap *>(this)->layoutTiles();
    auto it = m_tileOfPart.find(partId);
    return it == m_tileOfPart.end() ? QRect() : m_tiles[*it].rect;
}

QRect LayerMap::chipRect(const QString &partId, const QString &module) const
{
    const_cast<LayerMap *>(this)->layoutTiles();
    auto it = m_tileOfPart.find(partId);
    if (it == m_tileOfPart.end())
        return {};
    for (const auto &chip : m_tiles[*it].chips)
        if (chip.first == module)
            return chip.second;
    return {};
}

int LayerMap::tileAt(const QPoint &pos) const
{
    for (int i = 0; i < m_tiles.size(); ++i)
        if (m_tiles[i].rect.contains(pos))
            return i;
    return -1;
}

LayerMap::Cell LayerMap::cellAt(const QPoint &pos) const
{
    const int rowH = rowHeight(m_structure.blockCount);
    Cell cell;
    cell.row = std::clamp((pos.y() - kMargin) / (rowH + kGap), 0, std::max(0, rowCount() - 1));
    const int tile = tileAt(pos);
    if (tile >= 0)
        cell.column = m_tiles[tile].span == 3 ? -1 : m_tiles[tile].column;
    else if (pos.x() < kMargin + kBandWidth + kLabelWidth)
        cell.column = -1;  // the block label: the whole block
    else
        for (const Tile &t : m_tiles)
            if (t.span == 1 && pos.x() >= t.rect.left() && pos.x() <= t.rect.right() + kGap)
                cell.column = t.column;
    return cell;
}

QStringList LayerMap::partsInSelection(const Cell &a, const Cell &b) const
{
    const int r0 = std::min(a.row, b.row), r1 = std::max(a.row, b.row);
    const bool allColumns = a.column < 0 || b.column < 0;
    const int c0 = std::min(a.column, b.column), c1 = std::max(a.column, b.column);
    QStringList ids;
    for (const Tile &t : m_tiles) {
        if (t.row < r0 || t.row > r1)
            continue;
        if (t.span == 1 && !allColumns && (t.column < c0 || t.column > c1))
            continue;
        ids << QString::fromStdString(m_structure.parts[size_t(t.part)].id);
    }
    return ids;
}

void LayerMap::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    const QPalette pal = palette();
    if (m_structure.parts.empty()) {
        p.setPen(pal.color(QPalette::PlaceholderText));
        p.drawText(rect(), Qt::AlignCenter, tr("Open a model to see its layers"));
        return;
    }
    layoutTiles();
    const int rowH = rowHeight(m_structure.blockCount);
    const QFontMetrics fm(font());
    QFont bold = font();
    bold.setWeight(QFont::DemiBold);

    // Selection being dragged.
    QSet<QString> selected;
    if (m_dragging)
        for (const QString &id : partsInSelection(m_anchor, m_current))
            selected.insert(id);

    // Block labels and progressive bands.
    for (const Tile &t : m_tiles) {
        const ft::ModelPart &part = m_structure.parts[size_t(t.part)];
        const ft::PartTraining *tr_ = training(t.part);
        const QRect labelRect(kMargin + kBandWidth, t.rect.top(), kLabelWidth - 6, rowH);
        if (part.block >= 0 && t.column == 0) {
            p.setPen(pal.color(QPalette::WindowText));
            p.setFont(font());
            p.drawText(labelRect, Qt::AlignRight | Qt::AlignVCenter, tr("Block %1").arg(part.block));
        }
        if (m_hasPlan && m_plan.strategy == "progressive" && tr_ && tr_->stage >= 0 && t.column == 0) {
            const QRect band(kMargin, t.rect.top() - kGap / 2, kBandWidth - 4, rowH + kGap);
            p.fillRect(band, stageColor(tr_->stage));
            if (rowH >= 20) {
                p.setPen(Qt::white);
                QFont small = font();
                small.setPointSizeF(font().pointSizeF() * 0.75);
                p.setFont(small);
                p.drawText(band, Qt::AlignCenter, QString::number(tr_->stage));
                p.setFont(font());
            }
        }
    }

    for (const Tile &t : m_tiles) {
        const ft::ModelPart &part = m_structure.parts[size_t(t.part)];
        const ft::PartTraining *tr_ = training(t.part);
        // planTraining marks the parts with an adapter (LoRA, IA3 vectors, virtual tokens)
        // trainable too: they are drawn as adapters (the base weights stay frozen).
        const bool lora = tr_ && (!tr_->loraModules.empty() || tr_->adapterParameters > 0);
        const bool trainable = tr_ && !lora && (tr_->trainable || tr_->stage > 0);
        QColor fill = frozenColor(pal);
        if (trainable)
            fill = tr_->stage > 0 ? stageColor(tr_->stage).lighter(120) : trainableColor();
        else if (lora)
            fill = loraColor().lighter(118);
        if (trainable && !tr_->trainable)
            fill.setAlpha(150);  // joins at a later stage
        QPainterPath path;
        path.addRoundedRect(QRectF(t.rect).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);
        p.fillPath(path, fill);
        QPen outline(selected.contains(QString::fromStdString(part.id))
                         ? pal.color(QPalette::Highlight)
                         : pal.color(QPalette::Mid));
        outline.setWidthF(selected.contains(QString::fromStdString(part.id)) ? 2.5 : 1.0);
        p.setPen(outline);
        p.drawPath(path);

        const bool darkText = !trainable && !lora;
        const QColor text = darkText ? pal.color(QPalette::WindowText) : QColor(Qt::white);
        const int textRight = t.chips.isEmpty() ? t.rect.right() - 8 : t.chips.first().second.left() - 6;
        const QRect textRect(t.rect.left() + 8, t.rect.top(), textRight - t.rect.left() - 8, rowH);
        p.setPen(text);
        p.setFont(bold);
        QString title = tileTitle(part);
        p.drawText(textRect, Qt::AlignLeft | Qt::AlignVCenter, title);
        p.setFont(font());
        QString count = part.tied ? tr("tied") : format::parameterCount(part.parameterCount);
        if (lora && tr_->loraParameters + tr_->adapterParameters > 0)
            count = tr("+%1").arg(format::parameterCount(tr_->loraParameters + tr_->adapterParameters));
        if (tr_ && !tr_->baseFormat.empty())  // a compact frozen base
            count += QStringLiteral(" · ") + QString::fromStdString(tr_->baseFormat).toUpper();
        const int titleW = QFontMetrics(bold).horizontalAdvance(title) + 8;
        p.drawText(textRect.adjusted(titleW, 0, 0, 0), Qt::AlignLeft | Qt::AlignVCenter,
                   fm.elidedText(count, Qt::ElideRight, std::max(0, textRect.width() - titleW)));

        for (const auto &chip : t.chips) {
            const auto named = [&](const std::string &m) { return moduleName(m) == chip.first; };
            const bool on = tr_ && (std::any_of(tr_->loraModules.begin(), tr_->loraModules.end(), named) ||
                                    std::any_of(tr_->adapterModules.begin(), tr_->adapterModules.end(), named));
            QPainterPath cp;
            cp.addRoundedRect(QRectF(chip.second), 4, 4);
            if (on) {
                p.fillPath(cp, loraColor().darker(140));
                p.setPen(Qt::white);
            } else {
                QColor base = pal.color(QPalette::Base);
                base.setAlpha(darkText ? 200 : 60);
                p.fillPath(cp, base);
                p.setPen(QPen(darkText ? pal.color(QPalette::Mid) : QColor(255, 255, 255, 150)));
                p.drawPath(cp);
                p.setPen(text);
            }
            p.drawText(chip.second, Qt::AlignCenter, shortModule(chip.first));
        }
    }
}

void LayerMap::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton || m_structure.parts.empty())
        return;
    layoutTiles();
    const QPoint pos = event->position().toPoint();
    const int tile = tileAt(pos);
    if (tile >= 0)
        for (const auto &chip : m_tiles[tile].chips)
            if (chip.second.contains(pos)) {
                Q_EMIT loraModuleToggled(chip.first);
                return;
            }
    if (tile < 0 && pos.x() >= kMargin + kBandWidth + kLabelWidth)
        return;
    m_anchor = m_current = cellAt(pos);
    m_dragging = true;
    update();
}

void LayerMap::mouseMoveEvent(QMouseEvent *event)
{
    if (!m_dragging)
        return;
    const Cell cell = cellAt(event->position().toPoint());
    if (cell.row != m_current.row || cell.column != m_current.column) {
        m_current = cell;
        update();
    }
}

void LayerMap::mouseReleaseEvent(QMouseEvent *event)
{
    if (!m_dragging || event->button() != Qt::LeftButton)
        return;
    m_dragging = false;
    m_current = cellAt(event->position().toPoint());
    const QStringList ids = partsInSelection(m_anchor, m_current);
    update();
    if (ids.isEmpty())
        return;
    // A selection that trains entirely freezes; otherwise it all becomes trainable.
    bool allTrainable = true;
    for (const QString &id : ids) {
        auto it = m_tileOfPart.find(id);
        const ft::PartTraining *t = it == m_tileOfPart.end() ? nullptr : training(m_tiles[*it].part);
        if (!t || !t->trainable || !t->loraModules.empty() || t->adapterParameters > 0)
            allTrainable = false;
    }
    Q_EMIT partsToggled(ids, !allTrainable);
}

bool LayerMap::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        layoutTiles();
        const int tile = tileAt(help->pos());
        if (tile < 0) {
            QToolTip::hideText();
            return true;
        }
        const ft::ModelPart &part = m_structure.parts[size_t(m_tiles[tile].part)];
        const ft::PartTraining *t = training(m_tiles[tile].part);
        QString text = tr("<b>%1</b> · %2 parameters")
                           .arg(QString::fromStdString(part.id),
                                format::parameterCount(part.parameterCount));
        if (!part.note.empty())
            text += QStringLiteral("<br>") + QString::fromStdString(part.note).toHtmlEscaped();
        if (t) {
            const bool adapter = !t->loraModules.empty() || t->adapterParameters > 0;
            text += QStringLiteral("<br>") +
                    (adapter        ? tr("base weights frozen")
                     : t->trainable ? tr("trains (%1)").arg(format::parameterCount(t->trainableParameters))
                                    : tr("frozen"));
            if (t->stage > 0)
                text += tr("<br>joins at stage %1").arg(t->stage);
            if (!t->loraModules.empty())
                text += tr("<br>LoRA on %1 (%2 parameters)")
                            .arg(QString::number(t->loraModules.size()),
                                 format::parameterCount(t->loraParameters));
            if (!t->adapterModules.empty())
                text += tr("<br>IA3 vectors on %1 (%2 parameters)")
                            .arg(QString::number(t->adapterModules.size()),
                                 format::parameterCount(t->adapterParameters));
            else if (t->adapterParameters > 0)
                text += tr("<br>virtual tokens (%1 parameters)").arg(format::parameterCount(t->adapterParameters));
            if (!t->baseFormat.empty())
                text += tr("<br>base kept as %1, dequantised on the fly")
                            .arg(QString::fromStdString(t->baseFormat).toUpper());
        }
        for (const auto &name : part.parameterNames)
            text += QStringLiteral("<br><small>") + QString::fromStdString(name) + QStringLiteral("</small>");
        QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    if (event->type() == QEvent::Resize)
        m_laidOutWidth = -1;
    return QWidget::event(event);
}

} // namespace ftui
