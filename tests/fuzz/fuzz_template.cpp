// Chat templates: parse and render any text as a Jinja template over a small conversation.
#include "fuzzinput.h"

#include "ft/chattemplate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    const std::string templ(reinterpret_cast<const char *>(data), size);
    static const nlohmann::ordered_json messages = nlohmann::ordered_json::parse(
        R"([{"role":"system","content":"s"},{"role":"user","content":"hi"},{"role":"assistant","content":"yo"}])");
    ft::ChatTemplateOptions options;
    options.bosToken = "<s>";
    options.eosToken = "</s>";
    options.maxOutputBytes = 1 << 20;
    ftfuzz::expectOnlyBadInput([&] { ft::renderChatTemplateWithMask(templ, messages, options); });
    return 0;
}
