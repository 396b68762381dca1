// Project files (.ftproj, SQLite): opening, migrating and reading every dataset's first rows.
#include "fuzzinput.h"

#include "ft/project.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    const auto path = ftfuzz::writeScratch(data, size, "p.ftproj");
    std::filesystem::remove(path.string() + "-wal");
    std::filesystem::remove(path.string() + "-shm");
    ftfuzz::expectOnlyBadInput([&] {
        ft::ProjectStore store(path, /*mustExist=*/true);
        for (const auto &d : store.datasets()) {
            (void)store.rows(d.id, 0, 20);
            (void)store.findings(d.id);
        }
    });
    return 0;
}
