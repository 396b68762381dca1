#include "datacommands.h"
#include "enumtext.h"

#include <QCoreApplication>

#include <map>

namespace ftui {

SetStatusCommand::SetStatusCommand(ft::ProjectStore *store, int64_t datasetId,
                                   std::vector<int64_t> indices, std::vector<ft::RowStatus> before,
                                   ft::RowStatus after, StoreChanged changed)
    : m_store(store), m_datasetId(datasetId), m_indices(std::move(indices)),
      m_before(std::move(before)), m_after(after), m_changed(std::move(changed))
{
    setText(QCoreApplication::translate("ftui", "Mark %n row(s) %1", nullptr, int(m_indices.size()))
                .arg(rowStatusText(after)));
}

void SetStatusCommand::redo()
{
    m_store->setStatus(m_datasetId, m_indices, m_after);
    m_changed();
}

void SetStatusCommand::undo()
{
    std::map<ft::RowStatus, std::vector<int64_t>> byStatus;
    for (size_t i = 0; i < m_indices.size(); ++i)
        byStatus[m_before[i]].push_back(m_indices[i]);
    for (const auto &[status, indices] : byStatus)
        m_store->setStatus(m_datasetId, indices, status);
    m_changed();
}

EditRowCommand::EditRowCommand(ft::ProjectStore *store, int64_t datasetId, int64_t index,
                               std::optional<std::vector<ft::ChatMessage>> before,
                               std::optional<std::vector<ft::ChatMessage>> after,
                               StoreChanged changed)
    : m_store(store), m_datasetId(datasetId), m_index(index), m_before(std::move(before)),
      m_after(std::move(after)), m_changed(std::move(changed))
{
    setText(m_after ? QCoreApplication::translate("ftui", "Edit row %1").arg(index)
                    : QCoreApplication::translate("ftui", "Revert row %1").arg(index));
}

void EditRowCommand::apply(const std::optional<std::vector<ft::ChatMessage>> &messages)
{
    if (messages)
        m_store->editRow(m_datasetId, m_index, *messages);
    else
        m_store->revertEdit(m_datasetId, m_index);
    m_changed();
}

void EditRowCommand::redo()
{
    apply(m_after);
}

void EditRowCommand::undo()
{
    apply(m_before);
}

} // namespace ftui
