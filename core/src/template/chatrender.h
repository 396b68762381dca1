// Internals shared by the chat-template API (chattemplate.cpp) and the loss-mask rule
// (assistantmask.cpp): one rendering of a parsed template over a conversation.
#pragma once

#include "ft/chattemplate.h"
#include "template/ast.h"
#include "template/evaluator.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <utility>
#include <vector>

namespace ft::detail {

struct Rendered
{
    std::string text;
    std::vector<std::pair<std::size_t, std::size_t>> generation; // {% generation %} blocks
    // With watchMessages: where loops over the messages started each one (the item is the
    // message's index) and where those loops ended.
    std::vector<tpl::LoopVisit> visits;
};

Rendered renderParsed(const tpl::Body &body, const nlohmann::ordered_json &messages,
                      const ChatTemplateOptions &options, bool addGenerationPrompt,
                      bool watchMessages = false);
// With the globals already made (makeGlobals in chattemplate.cpp); `shared`: more of them,
// looked up after `globals` (tpl::Evaluator).
Rendered renderWithGlobals(const tpl::Body &body, tpl::ValueDict globals, const ChatTemplateOptions &options,
                           bool watchMessages, const tpl::ValueDict *shared = nullptr);
void checkMessages(const nlohmann::ordered_json &messages);

// One parsed template rendered over many conversations (the review counts a million rows'
// tokens): the globals besides the messages are made once and looked up by every render (the
// evaluator changes only its own scopes and the namespaces it makes), and the messages become
// template values without a JSON list in between. The text is renderParsed's. `body` must
// outlive it.
class ConversationRenderer
{
public:
    ConversationRenderer(const tpl::Body &body, const ChatTemplateOptions &options);
    std::string render(const std::vector<ChatMessage> &messages) const;

private:
    const tpl::Body &m_body;
    ChatTemplateOptions m_options;
    tpl::ValueDict m_globals;
};
// renderParsed calls made by this thread so far (tests: which path the mask rule took).
std::size_t renderCount();
// The text and the assistant turns' byte ranges (renderChatTemplateWithMask). Conversations
// with more than `exactTurns` assistant turns take the linear path (tests lower it to compare
// both paths).
inline constexpr std::size_t kExactTurns = 16;
ChatRendering renderWithMask(const std::string &templ, const nlohmann::ordered_json &messages,
                             const ChatTemplateOptions &options, std::size_t exactTurns = kExactTurns);

} // namespace ft::detail
