// HTML documents (folder imports): htmlToText over any bytes, and the text reader that takes an
// .html file as one document. Cut-off tags, comments and references never read past the input.
#include "fuzzinput.h"

#include "data/htmltext.h"
#include "data/recordreader.h"

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, std::size_t size)
{
    const std::string_view html(reinterpret_cast<const char *>(data), size);
    const std::string text = ft::htmlToText(html);
    if (text.size() > 4 * size + 16)
        __builtin_trap();  // the text grows only by decoded references
    const auto path = ftfuzz::writeScratch(data, size, "page.html");
    ftfuzz::expectOnlyBadInput([&] {
        auto reader = ft::openRecordReader(path, ft::FileKind::Text, ft::TextUnit::Line);
        ft::SourceRecord r;
        for (int n = 0; n < 10 && reader->next(r); ++n) {
        }
    });
    return 0;
}
