// The rows of one project dataset as a table that stays fast at millions of rows: rowCount comes
// from DatasetInfo (stored), rows are read from the store in pages of kPageSize on demand and a
// few pages are cached (least recently used). A filter (status, finding kind) is answered by the
// store too: one count, then pages by position among the matches, read lazily the same way.
#pragma once

#include <ft/project.h>

#include <QAbstractTableModel>

#include <list>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ftui {

class RowTableModel : public QAbstractTableModel
{
    Q_OBJECT

public:
    enum Column { IndexColumn, StatusColumn, KindColumn, PromptColumn, AnswerColumn,
                  FindingsColumn, SplitColumn, ColumnCount };
    static constexpr int kPageSize = 200;
    static constexpr int kCachedPages = 8;
    static constexpr int kElideChars = 160;

    explicit RowTableModel(QObject *parent = nullptr);

    // `store` is a connection owned by the caller, used on this (the GUI) thread only; null or
    // datasetId 0 clears the table.
    void setDataset(ft::ProjectStore *store, int64_t datasetId, int64_t rowCount);
    int64_t datasetId() const { return m_datasetId; }

    // Filters: status (nullopt: any) and finding kind ("" : any). One count from the store.
    void setFilter(std::optional<ft::RowStatus> status, const std::string &findingKind);
    bool isFiltered() const { return m_store && !m_filter.any(); }

    // The dataset index shown at table row `row` (filtered: from the row's page), or -1.
    int64_t datasetIndex(int row) const;
    // The table row showing dataset index `index`, or -1 (filtered: from a cached page, else
    // one store query).
    int tableRow(int64_t index) const;
    // The whole row (from the cache or the store).
    const ft::ProjectRow *rowAt(int row) const;

    // After the store changed (status, edit, split, findings): drops the cache and repaints.
    // With a filter, re-evaluates it.
    void reload();

    // Store reads made (pages, filter counts, positions), for tests and the status line.
    int64_t storeReads() const { return m_storeReads; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    const ft::ProjectRow *fetch(int64_t row) const;
    void clearCache();
    void countFiltered();

    ft::ProjectStore *m_store = nullptr;
    int64_t m_datasetId = 0;
    int64_t m_rowCount = 0;      // the dataset's rows
    ft::RowFilter m_filter;
    int64_t m_filteredCount = 0; // the filter's matches (when filtered)

    // Page cache: page number (of table rows) -> rows; m_lru front is the most recent.
    mutable std::map<int64_t, std::vector<ft::ProjectRow>> m_pages;
    mutable std::list<int64_t> m_lru;
    mutable int64_t m_storeReads = 0;
};

QString firstUserMessage(const ft::ProjectRow &row);
QString lastAssistantMessage(const ft::ProjectRow &row);

} // namespace ftui
