// Dataset records: the first byte picks the reader (JSON, JSONL, CSV, TSV, text), the rest is the
// file. Every record is read; a record's error is data, not a failure.
#include "fuzzinput.h"

#include "data/recordreader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    static const ft::FileKind kinds[] = {ft::FileKind::Json, ft::FileKind::Jsonl, ft::FileKind::Csv,
                                         ft::FileKind::Tsv, ft::FileKind::Text};
    static const char *names[] = {"r.json", "r.jsonl", "r.csv", "r.tsv", "r.txt"};
    const int k = data[0] % 5;
    const auto path = ftfuzz::writeScratch(data + 1, size - 1, names[k]);
    ftfuzz::expectOnlyBadInput([&] {
        auto reader = ft::openRecordReader(path, kinds[k], ft::TextUnit::Line);
        ft::SourceRecord r;
        for (int n = 0; n < 100000 && reader->next(r); ++n) {
        }
    });
    return 0;
}
