// Reads a predictions file (JSON Lines) for domain scoring, bounded in size and rows.
#include "ft/domainscore.h"
#include "ft/error.h"

#include <filesystem>
#include <fstream>

namespace ft {

namespace {

constexpr uintmax_t kMaxFileBytes = uintmax_t(2) << 30;
constexpr std::size_t kMaxRows = 5'000'000;

std::string stringField(const nlohmann::json &row, const char *field, const std::string &where,
                        bool required, bool *present = nullptr)
{
    const auto it = row.find(field);
    if (present)
        *present = it != row.end();
    if (it == row.end()) {
        if (required)
            throwBadInput(where + ": no \"" + field + "\" field");
        return {};
    }
    if (it->is_null())
        throwBadInput(where + ": \"" + field + "\" is null (write \"\" for an empty answer)");
    if (!it->is_string())
        throwBadInput(where + ": \"" + field + "\" must be a string, not " + it->type_name());
    return it->get<std::string>();
}

bool isBlankLine(const std::string &line)
{
    return line.find_first_not_of(" \t\r\n") == std::string::npos;
}

} // namespace

std::vector<PredictionRow> readPredictionRows(const std::string &path)
{
    std::error_code ec;
    const uintmax_t bytes = std::filesystem::file_size(path, ec);
    if (ec)
        throwBadInput(path + ": cannot read (" + ec.message() + ")");
    if (bytes > kMaxFileBytes)
        throwBadInput(path + ": " + std::to_string(bytes >> 20) + " MiB is more than the " +
                      std::to_string(kMaxFileBytes >> 20) + " MiB a predictions file may have");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throwBadInput(path + ": cannot open");
    std::vector<PredictionRow> rows;
    std::string line;
    int64_t lineNumber = 0;
    int64_t firstLine = 0;
    while (std::getline(in, line)) {
        ++lineNumber;
        if (isBlankLine(line))
            continue;
        const std::string where = path + ":" + std::to_string(lineNumber);
        if (rows.size() >= kMaxRows)
            throwBadInput(where + ": more than " + std::to_string(kMaxRows) + " rows");
        nlohmann::json row;
        try {
            row = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception &e) {
            throwBadInput(where + ": not a JSON object (" + e.what() + ")");
        }
        if (!row.is_object())
            throwBadInput(where + ": expected a JSON object, found " + row.type_name());
        PredictionRow r;
        r.line = lineNumber;
        r.prediction = stringField(row, "prediction", where, true);
        r.reference = stringField(row, "reference", where, true);
        r.basePrediction = stringField(row, "base_prediction", where, false, &r.hasBase);
        if (!rows.empty() && r.hasBase != rows.front().hasBase)
            throwBadInput(where + (r.hasBase ? ": has" : ": has no") +
                          " \"base_prediction\" but line " + std::to_string(firstLine) +
                          (r.hasBase ? " has none" : " has one") + " (all rows or none)");
        if (rows.empty())
            firstLine = lineNumber;
        rows.push_back(std::move(r));
    }
    if (in.bad())
        throwBadInput(path + ": read error after line " + std::to_string(lineNumber));
    if (rows.empty())
        throwBadInput(path + ": no rows (expected one JSON object per line)");
    return rows;
}

} // namespace ft
