#include "rowtablemodel.h"
#include "enumtext.h"

#include <ft/error.h>

#include <QColor>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>

namespace ftui {

namespace {

QString elide(const QString &text)
{
    QString s = text.left(RowTableModel::kElideChars * 4).simplified();
    if (s.size() > RowTableModel::kElideChars)
        s = s.left(RowTableModel::kElideChars - 1) + QChar(0x2026);
    return s;
}

} // namespace

QString firstUserMessage(const ft::ProjectRow &row)
{
    for (const auto &m : row.effectiveMessages())
        if (m.role == "user" || m.role == "text")
            return QString::fromStdString(m.content);
    return {};
}

QString lastAssistantMessage(const ft::ProjectRow &row)
{
    const auto &messages = row.effectiveMessages();
    for (auto it = messages.rbegin(); it != messages.rend(); ++it)
        if (it->role == "assistant")
            return QString::fromStdString(it->content);
    return {};
}

RowTableModel::RowTableModel(QObject *parent) : QAbstractTableModel(parent) {}

void RowTableModel::setDataset(ft::ProjectStore *store, int64_t datasetId, int64_t rowCount)
{
    beginResetModel();
    m_store = datasetId ? store : nullptr;
    m_datasetId = m_store ? datasetId : 0;
    m_rowCount = m_store ? rowCount : 0;
    clearCache();
    countFiltered();
    endResetModel();
}

void RowTableModel::setFilter(std::optional<ft::RowStatus> status, const std::string &findingKind)
{
    beginResetModel();
    m_filter = {status, findingKind};
    clearCache();
    countFiltered();
    endResetModel();
}

void RowTableModel::clearCache()
{
    m_pages.clear();
    m_lru.clear();
}

void RowTableModel::countFiltered()
{
    m_filteredCount = 0;
    if (!isFiltered())
        return;
    try {
        ++m_storeReads;
        m_filteredCount = m_store->rowCount(m_datasetId, m_filter);
    } catch (const ft::Error &) {
        m_filteredCount = 0;
    }
}

void RowTableModel::reload()
{
    beginResetModel();
    clearCache();
    countFiltered();
    endResetModel();
}

int64_t RowTableModel::datasetIndex(int row) const
{
    if (row < 0 || row >= rowCount())
        return -1;
    if (!isFiltered())
        return row;
    const ft::ProjectRow *r = fetch(row);
    return r ? r->index : -1;
}

int RowTableModel::tableRow(int64_t index) const
{
    if (!isFiltered())
        return index >= 0 && index < m_rowCount ? int(index) : -1;
    // A cached page holds it when it is on screen or selected; pages are sorted by index.
    for (const auto &[page, rows] : m_pages) {
        const auto it = std::lower_bound(rows.begin(), rows.end(), index,
                                         [](const ft::ProjectRow &r, int64_t i) { return r.index < i; });
        if (it != rows.end() && it->index == index)
            return int(page * kPageSize + (it - rows.begin()));
    }
    try {
        ++m_storeReads;
        return int(m_store->filteredPosition(m_datasetId, m_filter, index));
    } catch (const ft::Error &) {
        return -1;
    }
}

const ft::ProjectRow *RowTableModel::rowAt(int row) const
{
    return row < 0 || row >= rowCount() ? nullptr : fetch(row);
}

const ft::ProjectRow *RowTableModel::fetch(int64_t row) const
{
    if (!m_store)
        return nullptr;
    const int64_t page = row / kPageSize;
    auto it = m_pages.find(page);
    if (it == m_pages.end()) {
        std::vector<ft::ProjectRow> rows;
        try {
            ++m_storeReads;
            rows = m_store->rows(m_datasetId, m_filter, page * kPageSize, kPageSize);
        } catch (const ft::Error &) {
            return nullptr;
        }
        if (m_pages.size() >= size_t(kCachedPages)) {
            m_pages.erase(m_lru.back());
            m_lru.pop_back();
        }
        it = m_pages.emplace(page, std::move(rows)).first;
        m_lru.push_front(page);
    } else if (m_lru.front() != page) {
        m_lru.remove(page);
        m_lru.push_front(page);
    }
    const size_t offset = size_t(row - page * kPageSize);
    return offset < it->second.size() ? &it->second[offset] : nullptr;
}

int RowTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(isFiltered() ? m_filteredCount : m_rowCount);
}

int RowTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RowTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (role == Qt::DisplayRole && index.column() == IndexColumn && !isFiltered())
        return qlonglong(index.row()); // no store read for the index column
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole && role != Qt::ForegroundRole)
        return {};
    const ft::ProjectRow *row = rowAt(index.row());
    if (!row)
        return {};
    if (role == Qt::ForegroundRole) {
        if (row->status == ft::RowStatus::Excluded)
            return QGuiApplication::palette().color(QPalette::Disabled, QPalette::Text);
        if (index.column() == StatusColumn && row->status == ft::RowStatus::Accepted)
            return QColor(0x2e, 0x9d, 0x4f);
        if (index.column() == FindingsColumn && row->findingCount > 0)
            return QColor(0xd9, 0x8a, 0x00);
        return {};
    }
    if (role == Qt::ToolTipRole) {
        if (index.column() == PromptColumn)
            return firstUserMessage(*row).left(2000);
        if (index.column() == AnswerColumn)
            return lastAssistantMessage(*row).left(2000);
        return {};
    }
    switch (index.column()) {
    case IndexColumn: return qlonglong(row->index);
    case StatusColumn: {
        QString s = rowStatusText(row->status);
        return row->edited ? s + tr(" · edited") : s;
    }
    case KindColumn: return rowKindText(row->kind);
    case PromptColumn: return elide(firstUserMessage(*row));
    case AnswerColumn: return elide(lastAssistantMessage(*row));
    case FindingsColumn: return row->findingCount ? QVariant(qlonglong(row->findingCount)) : QVariant();
    case SplitColumn: return QString::fromStdString(row->split);
    default: return {};
    }
}

QVariant RowTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case IndexColumn: return tr("#");
    case StatusColumn: return tr("Status");
    case KindColumn: return tr("Kind");
    case PromptColumn: return tr("Prompt");
    case AnswerColumn: return tr("Answer");
    case FindingsColumn: return tr("Findings");
    case SplitColumn: return tr("Split");
    default: return {};
    }
}

} // namespace ftui
