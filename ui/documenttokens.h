// Tokens in a set of documents (stage pt), for the Strategy advisor: each document's tokens plus
// the EOS training appends, counted with the loaded model's tokenizer. Read on the GUI thread,
// so only data up to a bound is counted.
#pragma once

#include <QString>

#include <optional>

namespace ft {
class Tokenizer;
}

namespace ftui {

// `dataPath`: a project dataset "P.ftproj#name" (its non-excluded text rows) or a .jsonl file of
// {"text": ...} rows. nullopt when it is neither, cannot be read, or holds more than
// `maxTextBytes` of text.
std::optional<qint64> countDocumentTokens(const QString &dataPath, const ft::Tokenizer &tokenizer,
                                          qint64 maxTextBytes = 32LL * 1024 * 1024);

} // namespace ftui
