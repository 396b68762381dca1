#include "ft/chattemplate.h"

#include "ft/error.h"
#include "ft/tokenizer.h"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace ft {
namespace {

std::string builtinList()
{
    std::string names;
    for (const auto &n : builtinChatTemplateNames())
        names += (names.empty() ? "" : ", ") + n;
    return names;
}

} // namespace

std::string selectChatTemplate(const Tokenizer &tokenizer, const std::string &name,
                               const std::string &origin)
{
    if (name.empty()) {
        if (tokenizer.chatTemplate().empty())
            throwBadInput(origin + ": the model has no chat template; choose a built-in one (" +
                          builtinList() + ") or a .jinja file");
        return tokenizer.chatTemplate();
    }
    if (auto builtin = builtinChatTemplate(name))
        return *builtin;
    if (std::filesystem::is_regular_file(name)) {
        std::ifstream in(name, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in.good() && !in.eof())
            throwBadInput(name + ": the chat template file cannot be read");
        return text.str();
    }
    throwBadInput("chat template '" + name + "' is neither a built-in template (" + builtinList() +
                  ") nor a template file");
}

ChatTemplateOptions chatTemplateOptionsFor(const Tokenizer &tokenizer)
{
    ChatTemplateOptions options;
    if (auto bos = tokenizer.bosId())
        options.bosToken = tokenizer.tokenText(*bos);
    if (auto eos = tokenizer.eosId())
        options.eosToken = tokenizer.tokenText(*eos);
    return options;
}

} // namespace ft
