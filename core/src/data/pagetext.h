// Turns the text of a paged document (a PDF's text layer, page by page) into running prose for
// pre-training: running headers and footers (lines repeated at the top or bottom of most pages,
// page numbers) removed, end-of-line hyphenation joined ("treat-" + "ment" -> "treatment"),
// lines rebuilt into paragraphs (separated by a blank line), and where each page starts kept so
// a document can be traced back to its pages.
#pragma once

#include <string>
#include <vector>

namespace ft {

struct PagedText
{
    std::string text;
    std::vector<size_t> pageOffsets; // byte offset in `text` where each page's text starts
};

PagedText joinPages(const std::vector<std::string> &pages);

} // namespace ft
