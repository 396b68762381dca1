// run.json: every option's type and range, all problems gathered into one BadInput.
#include "fuzzinput.h"

#include "ft/trainer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    const auto path = ftfuzz::writeScratch(data, size, "run.json");
    ftfuzz::expectOnlyBadInput([&] { ft::loadTrainingConfig(path); });
    return 0;
}
