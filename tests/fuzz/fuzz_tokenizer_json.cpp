// tokenizer.json: the model, pre-tokenizer, normalizer, added tokens and decoder, then an encode.
#include "fuzzinput.h"

#include "ft/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    const auto path = ftfuzz::writeScratch(data, size, "tokenizer.json");
    ftfuzz::expectOnlyBadInput([&] {
        auto tokenizer = ft::Tokenizer::fromFile(path);
        const auto ids = tokenizer->encode("Hello wörld 你好 <s>", true);
        (void)tokenizer->decode(ids, false);
    });
    return 0;
}
