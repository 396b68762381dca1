// The readable text of an HTML document, for importing web pages as pre-training documents:
// tags removed (script, style, head and comments with their content), block elements (p, br,
// div, li, h1-h6, tr, ...) as line breaks, character references decoded, runs of spaces and blank
// lines collapsed. A linear scan: no tree, no recursion, memory proportional to the input.
#pragma once

#include <string>
#include <string_view>

namespace ft {

std::string htmlToText(std::string_view html);
// .html / .htm / .xhtml (case-insensitive).
bool isHtmlFileName(const std::string &fileName);

} // namespace ft
