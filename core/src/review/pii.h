// Personal data patterns: e-mail, phone numbers (international "+CC ...", North American, Chinese
// mobile 1[3-9]XXXXXXXXX), Chinese resident ID numbers (checksum and birth date valid), bank card
// numbers (13-19 digits passing Luhn), IPv4 and IPv6 addresses.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace ft::review {

struct PiiMatch
{
    std::string type;  // email | phone | cn_mobile | cn_id | bank_card | ipv4 | ipv6
    std::size_t begin = 0, end = 0;  // byte offsets into the text
};

// Non-overlapping matches, left to right (where two patterns overlap, the earlier type in the
// list above wins). The patterns are ASCII and run on bytes, so invalid UTF-8 is harmless.
std::vector<PiiMatch> findPersonalData(std::string_view text);

// ISO 7064 MOD 11-2 check character and a real birth date (1900..this year) in YYYYMMDD at 6..13.
bool isValidChineseId(std::string_view id18);
bool passesLuhn(std::string_view digits);
// "138****5678": the first and last few characters, the rest masked (reports carry no PII).
std::string maskPii(std::string_view match);
// Human name of a type: "e-mail address", "Chinese resident ID number", ...
const char *piiTypeName(const std::string &type);

} // namespace ft::review
