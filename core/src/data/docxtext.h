// The text of a Word document (.docx): word/document.xml read from the zip, a paragraph per
// <w:p> (separated by a blank line), text from <w:t>, <w:tab/> as a tab, <w:br/> / <w:cr/> as a
// line break, XML character references decoded. Deleted text (<w:delText>), field codes and the
// fallback copies of text boxes (<mc:Fallback>) are left out. A linear scan, no DOM.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace ft {

// The uncompressed document.xml a .docx may have; larger is refused as a possible zip bomb.
constexpr uint64_t kMaxDocxXmlBytes = uint64_t(256) << 20;

std::string docxXmlToText(std::string_view documentXml);

// Throws std::runtime_error with the reason (not a ZIP, no word/document.xml, too large, ...).
std::string readDocxText(const std::filesystem::path &path, uint64_t maxXmlBytes = kMaxDocxXmlBytes);

} // namespace ft
