// GGUF files: header, metadata, tensor infos, and the model description built from them.
#include "fuzzinput.h"

#include "io/gguffile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    const auto path = ftfuzz::writeScratch(data, size, "m.gguf");
    ftfuzz::expectOnlyBadInput([&] {
        ft::GgufFile file(path);
        (void)file.metadata().size();
        if (file.hasKey("general.architecture"))
            (void)file.getString("general.architecture");
    });
    return 0;
}
