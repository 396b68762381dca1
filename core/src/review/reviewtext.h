// Text helpers for the review: the matching normal form, code-point iteration, words (with Han
// characters as one word each) and the script of a letter.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ft::review {

// NFC, case-folded, full-width ASCII forms and the ideographic space mapped to ASCII, every run of
// white space one ' ', trimmed. Two texts equal after this are exact duplicates.
std::string normaliseForMatching(std::string_view text);

// Decodes the code point at text[pos] (invalid bytes decode as U+FFFD, length 1).
char32_t nextCodePoint(std::string_view text, std::size_t &pos);
std::size_t countCodePoints(std::string_view text);
bool isAscii(std::string_view text);
// The first code point of a text (0 when empty).
char32_t nextCodePointAt(std::string_view text);
bool isBlank(std::string_view text);  // empty or only Unicode white space

// Ideographs (Han), kana and Hangul: one character is one word for counting and shingles.
bool isCjkCharacter(char32_t cp);
// Words: runs of letters/digits (lower-cased ASCII), each CJK character on its own.
std::vector<std::string_view> splitWords(std::string_view text);

enum class Script { Latin, Han, Kana, Hangul, Cyrillic, Arabic, Greek, Other, None };
// Letters only; None for digits, punctuation, symbols and white space.
Script letterScript(char32_t cp);
const char *scriptName(Script s);
constexpr int kScriptCount = 8;  // Latin..Other

// 64-bit hash (FNV-1a then a finaliser): stable across runs.
// splitmix64's finaliser; inline: the shingle and MinHash loops call it per character.
inline uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

inline uint64_t hash64(std::string_view text, uint64_t seed = 0)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ mix64(seed);
    for (char c : text) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ULL;
    }
    return mix64(h);
}

// {hash64(text, seedA), hash64(text, seedB)} in one pass: the two multiply chains overlap.
inline std::pair<uint64_t, uint64_t> hash64Pair(std::string_view text, uint64_t seedA, uint64_t seedB)
{
    uint64_t a = 0xcbf29ce484222325ULL ^ mix64(seedA), b = 0xcbf29ce484222325ULL ^ mix64(seedB);
    for (char c : text) {
        a = (a ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
        b = (b ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    }
    return {mix64(a), mix64(b)};
}

} // namespace ft::review
