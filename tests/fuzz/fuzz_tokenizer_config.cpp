// tokenizer_config.json beside a small valid tokenizer.json: special tokens, add_bos/add_eos,
// added_tokens_decoder and the chat template, which is then rendered over a short conversation.
#include "fuzzinput.h"

#include "ft/chattemplate.h"
#include "ft/tokenizer.h"

#include <fstream>

namespace {

// A byte-level BPE over a handful of tokens: enough for the config to refer to.
const char *const kTokenizerJson = R"({"version":"1.0","added_tokens":[
{"id":0,"content":"<s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true},
{"id":1,"content":"</s>","single_word":false,"lstrip":false,"rstrip":false,"normalized":false,"special":true}],
"normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
"post_processor":null,"decoder":{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true},
"model":{"type":"BPE","dropout":null,"unk_token":null,"continuing_subword_prefix":null,"end_of_word_suffix":null,
"fuse_unk":false,"byte_fallback":false,"vocab":{"<s>":0,"</s>":1,"a":2,"b":3,"h":4,"i":5,"Ġ":6,"hi":7},
"merges":["h i"]}})";

const std::filesystem::path &folder()
{
    static const std::filesystem::path dir = [] {
        const auto d = ftfuzz::scratchDir() / "tokenizer";
        std::filesystem::create_directories(d);
        std::ofstream(d / "tokenizer.json", std::ios::binary) << kTokenizerJson;
        return d;
    }();
    return dir;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    const auto &dir = folder();
    std::ofstream(dir / "tokenizer_config.json", std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char *>(data), static_cast<std::streamsize>(size));
    static const nlohmann::ordered_json messages = nlohmann::ordered_json::parse(
        R"([{"role":"user","content":"hi"},{"role":"assistant","content":"ab"}])");
    ftfuzz::expectOnlyBadInput([&] {
        auto tokenizer = ft::Tokenizer::fromFolder(dir);
        (void)tokenizer->encode("hi ab", true);
        if (tokenizer->chatTemplate().empty())
            return;
        ft::ChatTemplateOptions options;
        options.maxOutputBytes = 1 << 20;
        ft::renderChatTemplateWithMask(tokenizer->chatTemplate(), messages, options);
    });
    return 0;
}
