// The Data page's row editor: the messages of one row in editable boxes, one per message (the
// roles stay as they are). The original stays in the project; the page makes the edit undoable.
#pragma once

#include <ft/project.h>

#include <optional>
#include <vector>

class QWidget;

namespace ftui {

// The edited messages, or nothing when the dialog was cancelled.
std::optional<std::vector<ft::ChatMessage>> editRowMessages(QWidget *parent, const ft::ProjectRow &row);

} // namespace ftui
