// UTF-8 helpers shared by the tokenizer engine: decoding with the same error rules as Rust's
// String::from_utf8_lossy (what Hugging Face tokenizers uses), Unicode white space, and GPT-2's
// byte <-> printable character alphabet used by byte-level BPE.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ft::tok {

// Decodes the sequence at text[pos]. Returns its length (1..4) and sets *cp when valid; returns
// 0 when invalid and sets *badLen to the length of the maximal invalid subpart (>= 1) that one
// U+FFFD replaces.
int decodeUtf8(std::string_view text, std::size_t pos, char32_t *cp, int *badLen);
bool isValidUtf8(std::string_view text);
// Invalid sequences replaced by U+FFFD, one per maximal subpart (Rust/Python "replace").
std::string lossyUtf8(std::string_view bytes);
void appendUtf8(std::string &out, char32_t cp);
// Length of the (valid) UTF-8 character starting with byte b: 1..4, 1 for stray bytes.
int utf8CharLen(unsigned char b);
// Number of code points (text must be valid UTF-8).
std::size_t codePointCount(std::string_view text);
// Rust's char::is_whitespace (Unicode White_Space).
bool isUnicodeWhitespace(char32_t cp);

// GPT-2 bytes_to_unicode(): the character (UTF-8) standing for byte b.
const std::string &byteLevelChar(unsigned char b);
// The byte a byte-level character stands for, or -1 when cp is not in the alphabet.
int byteLevelByte(char32_t cp);
// Byte-level spelling of raw bytes ("hello world" -> "helloĠworld").
std::string toByteLevel(std::string_view bytes);
// Raw bytes of a byte-level spelled token; false when a character is outside the alphabet.
bool fromByteLevel(std::string_view token, std::string &bytes);

} // namespace ft::tok
