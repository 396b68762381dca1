// LLaMA-Factory's dataset_info.json: entries with any fields and types (no data files exist).
#include "fuzzinput.h"

#include "ft/dataimport.h"
#include "ft/project.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    const auto path = ftfuzz::writeScratch(data, size, "dataset_info.json");
    static ft::ProjectStore store(ftfuzz::scratchDir() / "registry.ftproj");
    ftfuzz::expectOnlyBadInput([&] { ft::importRegistry(store, path, {}); });
    return 0;
}
