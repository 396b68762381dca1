// safetensors: the 8-byte length, the JSON header, dtypes, shapes and offsets.
#include "fuzzinput.h"

#include "io/safetensorsfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    const auto path = ftfuzz::writeScratch(data, size, "m.safetensors");
    ftfuzz::expectOnlyBadInput([&] {
        ft::SafetensorsFile file(path);
        (void)file.entries().size();
    });
    return 0;
}
