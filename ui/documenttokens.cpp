#include "documenttokens.h"

#include <ft/project.h>
#include <ft/tokenizer.h>

#include <QFile>

#include <exception>

namespace ftui {

std::optional<qint64> countDocumentTokens(const QString &dataPath, const ft::Tokenizer &tokenizer,
                                          qint64 maxTextBytes)
{
    qint64 tokens = 0, bytes = 0;
    const auto add = [&](const std::string &text) {
        bytes += qint64(text.size());
        if (bytes > maxTextBytes)
            return false;
        tokens += qint64(tokenizer.encode(text, /*addSpecial=*/false).size()) + 1;  // + EOS
        return true;
    };
    try {
        if (const auto spec = ft::parseProjectDataset(dataPath.toStdString())) {
            const ft::ProjectStore store(spec->first, /*mustExist=*/true);
            const ft::DatasetInfo info = store.dataset(spec->second);
            if (info.format != "text")
                return std::nullopt;
            bool within = true;
            store.forEachRow(info.id, [&](const ft::ProjectRow &row) {
                if (row.status == ft::RowStatus::Excluded || row.effectiveMessages().empty())
                    return true;
                within = add(row.effectiveMessages().front().content);
                return within;
            });
            return within ? std::optional<qint64>(tokens) : std::nullopt;
        }
        QFile file(dataPath);
        if (!dataPath.endsWith(QLatin1String(".jsonl")) || file.size() > maxTextBytes * 2 ||
            !file.open(QIODevice::ReadOnly))
            return std::nullopt;
        while (!file.atEnd()) {
            const nlohmann::json row = nlohmann::json::parse(file.readLine().toStdString(), nullptr, false);
            if (row.is_object() && row.contains("text") && row["text"].is_string() &&
                !add(row["text"].get<std::string>()))
                return std::nullopt;
        }
        return tokens;
    } catch (const std::exception &) {
        return std::nullopt;
    }
}

} // namespace ftui
