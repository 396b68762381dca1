// The text layer of a PDF through Poppler (poppler-cpp), page by page: Poppler's words in reading
// order with their boxes, rebuilt into lines, with a blank line where the vertical gap between two
// lines is clearly wider than the page's usual spacing (a paragraph break).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ft {

struct PdfPages
{
    std::vector<std::string> pages; // UTF-8, one entry per page (empty for a page without text)
    std::string error;              // why there is no text: encrypted, damaged, no text layer
};

PdfPages readPdfPages(const std::filesystem::path &path);

} // namespace ft
