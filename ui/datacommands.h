// Undoable changes to project rows (QUndoStack on the Data page): status changes and message
// edits. Each redo/undo is one store transaction; `changed` repaints the page afterwards.
#pragma once

#include <ft/project.h>

#include <QUndoCommand>

#include <functional>
#include <optional>
#include <vector>

namespace ftui {

using StoreChanged = std::function<void()>;

class SetStatusCommand : public QUndoCommand
{
public:
    // `before` holds each row's status now (same order as `indices`).
    SetStatusCommand(ft::ProjectStore *store, int64_t datasetId, std::vector<int64_t> indices,
                     std::vector<ft::RowStatus> before, ft::RowStatus after, StoreChanged changed);
    void redo() override;
    void undo() override;

private:
    ft::ProjectStore *m_store;
    int64_t m_datasetId;
    std::vector<int64_t> m_indices;
    std::vector<ft::RowStatus> m_before;
    ft::RowStatus m_after;
    StoreChanged m_changed;
};

class EditRowCommand : public QUndoCommand
{
public:
    // `before`/`after`: the edit (nullopt: no edit, the imported messages).
    EditRowCommand(ft::ProjectStore *store, int64_t datasetId, int64_t index,
                   std::optional<std::vector<ft::ChatMessage>> before,
                   std::optional<std::vector<ft::ChatMessage>> after, StoreChanged changed);
    void redo() override;
    void undo() override;

private:
    void apply(const std::optional<std::vector<ft::ChatMessage>> &messages);

    ft::ProjectStore *m_store;
    int64_t m_datasetId;
    int64_t m_index;
    std::optional<std::vector<ft::ChatMessage>> m_before, m_after;
    StoreChanged m_changed;
};

} // namespace ftui
