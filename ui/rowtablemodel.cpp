#include "rowtablemodel.h"

#include <ft/error.h>

#include <QColor>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>
#include <set>

namespace ftui {

namespace {

constexpr size_t kSingleCacheRows = 2000;

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
    m_pages.clear();
    m_lru.clear();
    m_single.clear();
    rebuildFilter();
    endResetModel();
}

void RowTableModel::setFilter(std::optional<ft::RowStatus> status, const std::string &findingKind)
{
    beginResetModel();
    m_status = status;
    m_findingKind = findingKind;
    m_single.clear();
    rebuildFilter();
    endResetModel();
}

void RowTableModel::rebuildFilter()
{
    m_filtered = m_store && (m_status || !m_findingKind.empty());
    m_indices.clear();
    if (!m_filtered)
        return;
    std::set<int64_t> withKind;
    if (!m_findingKind.empty())
        for (const auto &f : m_store->findings(m_datasetId))
            if (f.kind == m_findingKind)
                withKind.insert(f.rowIndex);
    if (!m_status) {
        m_indices.assign(withKind.begin(), withKind.end());
        return;
    }
    // Statuses need a pass over the rows; the pass is also the cache for the matches.
    m_store->forEachRow(m_datasetId, [&](const ft::ProjectRow &row) {
        if (row.status == *m_status && (m_findingKind.empty() || withKind.count(row.index)))
            m_indices.push_back(row.index);
        return true;
    });
    ++m_storeReads;
}

void RowTableModel::reload()
{
    beginResetModel();
    m_pages.clear();
    m_lru.clear();
    m_single.clear();
    rebuildFilter();
    endResetModel();
}

int64_t RowTableModel::datasetIndex(int row) const
{
    if (row < 0 || row >= rowCount())
        return -1;
    return m_filtered ? m_indices[size_t(row)] : row;
}

int RowTableModel::tableRow(int64_t index) const
{
    if (!m_filtered)
        return index >= 0 && index < m_rowCount ? int(index) : -1;
    const auto it = std::lower_bound(m_indices.begin(), m_indices.end(), index);
    return it != m_indices.end() && *it == index ? int(it - m_indices.begin()) : -1;
}

const ft::ProjectRow *RowTableModel::rowAt(int row) const
{
    const int64_t index = datasetIndex(row);
    return index < 0 ? nullptr : fetch(index);
}

const ft::ProjectRow *RowTableModel::fetch(int64_t index) const
{
    if (!m_store)
        return nullptr;
    const int64_t page = index / kPageSize;
    auto it = m_pages.find(page);
    if (it == m_pages.end() && m_filtered) {
        auto single = m_single.find(index);
        if (single != m_single.end())
            return &single->second;
        if (m_single.size() >= kSingleCacheRows)
            m_single.clear();
        try {
            ++m_storeReads;
            return &m_single.emplace(index, m_store->row(m_datasetId, index)).first->second;
        } catch (const ft::Error &) {
            return nullptr;
        }
    }
    if (it == m_pages.end()) {
        std::vector<ft::ProjectRow> rows;
        try {
            ++m_storeReads;
            rows = m_store->rows(m_datasetId, page * kPageSize, kPageSize);
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
    const size_t offset = size_t(index - page * kPageSize);
    return offset < it->second.size() ? &it->second[offset] : nullptr;
}

int RowTableModel::rowCount(const QModelIndex &parent) const
{
    if (parent.isValid())
        return 0;
    return int(m_filtered ? int64_t(m_indices.size()) : m_rowCount);
}

int RowTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RowTableModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid())
        return {};
    if (role == Qt::DisplayRole && index.column() == IndexColumn)
        return qlonglong(datasetIndex(index.row())); // no store read for the index column
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
    case StatusColumn: {
        QString s = QString::fromLatin1(ft::rowStatusName(row->status));
        return row->edited ? s + tr(" · edited") : s;
    }
    case KindColumn: return QString::fromLatin1(ft::rowKindName(row->kind));
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
