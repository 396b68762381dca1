// tokenizer.model: SentencePiece's protobuf read by our own wire-format reader, then an encode
// and a decode with the tokenizer it describes.
#include "fuzzinput.h"

#include "ft/tokenizer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    const auto path = ftfuzz::writeScratch(data, size, "tokenizer.model");
    ftfuzz::expectOnlyBadInput([&] {
        auto tokenizer = ft::Tokenizer::fromFile(path);
        const auto ids = tokenizer->encode("Hello wörld 你好 <s>\n", true);
        (void)tokenizer->decode(ids, false);
    });
    return 0;
}
