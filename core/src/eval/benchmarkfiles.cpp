#include "eval/benchmarkfiles.h"

#include "data/csvrowreader.h"
#include "data/recordreader.h"
#include "data/textstream.h"
#include "ft/error.h"

#include <algorithm>
#include <cctype>
#include <optional>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

int choiceIndexOfLabel(const std::string &label)
{
    const size_t b = label.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return -1;
    const size_t e = label.find_last_not_of(" \t\r\n");
    if (e != b)
        return -1;
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(label[b])));
    return c >= 'A' && c <= 'Z' ? c - 'A' : -1;
}

namespace {

std::string where(const fs::path &path, int64_t row)
{
    return path.string() + ":" + std::to_string(row) + ": ";
}

std::string trimmed(const std::string &s)
{
    const size_t b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos)
        return {};
    return s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1);
}

std::string lower(std::string s)
{
    for (char &c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::string choiceRange(size_t count)
{
    return "A-" + choiceLabel(static_cast<int>(count) - 1);
}

int answerFromLabel(const std::string &text, size_t choiceCount, const fs::path &path, int64_t row)
{
    if (trimmed(text).empty())
        throwBadInput(where(path, row) + "the answer is empty");
    const int index = choiceIndexOfLabel(text);
    if (index < 0 || static_cast<size_t>(index) >= choiceCount)
        throwBadInput(where(path, row) + "answer '" + trimmed(text) + "' is not one of the " +
                      std::to_string(choiceCount) + " choices " + choiceRange(choiceCount));
    return index;
}

void checkItem(const BenchmarkItem &item, const fs::path &path, int64_t row)
{
    if (trimmed(item.question).empty())
        throwBadInput(where(path, row) + "the question is empty");
    if (item.choices.size() < 2 || item.choices.size() > size_t(kMaxBenchmarkChoices))
        throwBadInput(where(path, row) + std::to_string(item.choices.size()) +
                      " choices (a question needs 2 to 26)");
}

// Where a header row names the columns (C-Eval: id,question,A,B,C,D,answer,explanation;
// CMMLU: ,Question,A,B,C,D,Answer).
struct CsvColumns
{
    int question = -1;
    int answer = -1;
    int id = -1;
    std::vector<int> choices; // columns A, B, C ... in order
};

std::optional<CsvColumns> headerColumns(const std::vector<std::string> &fields,
                                        const fs::path &path, int64_t row)
{
    std::vector<std::string> names;
    for (const std::string &f : fields)
        names.push_back(lower(trimmed(f)));
    if (std::find(names.begin(), names.end(), "question") == names.end())
        return std::nullopt; // no header: MMLU's layout
    CsvColumns c;
    for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == "question")
            c.question = static_cast<int>(i);
        else if (names[i] == "answer")
            c.answer = static_cast<int>(i);
        else if (names[i] == "id")
            c.id = static_cast<int>(i);
    }
    for (int letter = 0; letter < kMaxBenchmarkChoices; ++letter) {
        const auto it = std::find(names.begin(), names.end(), lower(choiceLabel(letter)));
        if (it == names.end())
            break;
        c.choices.push_back(static_cast<int>(it - names.begin()));
    }
    if (c.answer < 0)
        throwBadInput(where(path, row) + "the header has no 'answer' column");
    if (c.choices.size() < 2)
        throwBadInput(where(path, row) + "the header needs choice columns A, B, ... (found " +
                      std::to_string(c.choices.size()) + ")");
    return c;
}

} // namespace

CsvBenchmarkFile readBenchmarkCsv(const fs::path &path)
{
    CsvRowReader reader(path, ',');
    CsvBenchmarkFile file;
    std::optional<CsvColumns> columns;
    size_t width = 0; // fields per row, from the first row
    std::vector<std::string> fields;
    std::string error;
    int64_t row = 0;
    bool first = true;
    while (reader.next(fields, row, error)) {
        if (!error.empty())
            throwBadInput(where(path, row) + error);
        if (fields.size() == 1 && trimmed(fields[0]).empty())
            continue; // blank line
        for (size_t i = 0; i < fields.size(); ++i)
            if (!isValidUtf8(fields[i].data(), fields[i].size()))
                throwBadInput(where(path, row) + "field " + std::to_string(i + 1) +
                              ": invalid UTF-8");
        if (first) {
            first = false;
            width = fields.size();
            columns = headerColumns(fields, path, row);
            if (columns) {
                const bool capitalised =
                    std::find(fields.begin(), fields.end(), "Question") != fields.end();
                file.style = capitalised ? PromptStyle::Cmmlu : PromptStyle::Ceval;
                continue;
            }
            if (width < 4)
                throwBadInput(where(path, row) + std::to_string(width) +
                              " fields; expected question, the choices and the answer letter "
                              "(or a header row naming question, A, B, ..., answer)");
        }
        if (fields.size() != width)
            throwBadInput(where(path, row) + std::to_string(fields.size()) +
                          " fields where row 1 has " + std::to_string(width));
        if (file.items.size() >= kMaxBenchmarkItemsPerFile)
            throwBadInput(where(path, row) + "more than 1000000 questions in one file");
        BenchmarkItem item;
        item.source = path.filename().string() + ":" + std::to_string(row);
        if (columns) {
            item.question = fields[columns->question];
            for (int c : columns->choices)
                item.choices.push_back(fields[c]);
            if (columns->id >= 0)
                item.id = fields[columns->id];
            checkItem(item, path, row);
            item.answer = answerFromLabel(fields[columns->answer], item.choices.size(), path, row);
        } else {
            item.question = fields.front();
            item.choices.assign(fields.begin() + 1, fields.end() - 1);
            checkItem(item, path, row);
            item.answer = answerFromLabel(fields.back(), item.choices.size(), path, row);
        }
        file.items.push_back(std::move(item));
    }
    return file;
}

namespace {

std::string stringField(const json &obj, const char *key, const fs::path &path, int64_t row,
                        bool required)
{
    const auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) {
        if (required)
            throwBadInput(where(path, row) + "missing field '" + key + "'");
        return {};
    }
    if (it->is_number_integer() && std::string(key) == "id")
        return std::to_string(it->get<int64_t>());
    if (!it->is_string())
        throwBadInput(where(path, row) + "field '" + key + "' must be a string, not " +
                      it->type_name());
    return it->get<std::string>();
}

int jsonAnswer(const json &obj, size_t choiceCount, const fs::path &path, int64_t row)
{
    const auto it = obj.find("answer");
    if (it == obj.end() || it->is_null())
        throwBadInput(where(path, row) + "missing field 'answer'");
    if (it->is_number_integer()) {
        const int64_t index = it->get<int64_t>();
        if (index < 0 || static_cast<size_t>(index) >= choiceCount)
            throwBadInput(where(path, row) + "answer index " + std::to_string(index) +
                          " is outside the " + std::to_string(choiceCount) + " choices (0-" +
                          std::to_string(choiceCount - 1) + ")");
        return static_cast<int>(index);
    }
    if (it->is_string())
        return answerFromLabel(it->get<std::string>(), choiceCount, path, row);
    throwBadInput(where(path, row) + "field 'answer' must be a letter or an index, not " +
                  it->type_name());
}

} // namespace

std::vector<JsonlBenchmarkItem> readBenchmarkJsonl(const fs::path &path)
{
    auto reader = openRecordReader(path, FileKind::Jsonl, TextUnit::Line);
    std::vector<JsonlBenchmarkItem> out;
    SourceRecord r;
    while (reader->next(r)) {
        if (!r.error.empty())
            throwBadInput(where(path, r.line) + r.error);
        if (out.size() >= kMaxBenchmarkItemsPerFile)
            throwBadInput(where(path, r.line) + "more than 1000000 questions in one file");
        const json &obj = r.value;
        JsonlBenchmarkItem entry;
        BenchmarkItem &item = entry.item;
        item.source = path.filename().string() + ":" + std::to_string(r.line);
        item.question = stringField(obj, "question", path, r.line, true);
        item.id = stringField(obj, "id", path, r.line, false);
        const auto choices = obj.find("choices");
        if (choices == obj.end() || !choices->is_array())
            throwBadInput(where(path, r.line) + "field 'choices' must be a list of strings");
        if (choices->size() > size_t(kMaxBenchmarkChoices))
            throwBadInput(where(path, r.line) + std::to_string(choices->size()) +
                          " choices (a question needs 2 to 26)");
        for (const json &c : *choices) {
            if (!c.is_string())
                throwBadInput(where(path, r.line) + "field 'choices' must be a list of strings");
            item.choices.push_back(c.get<std::string>());
        }
        checkItem(item, path, r.line);
        item.answer = jsonAnswer(obj, item.choices.size(), path, r.line);
        if (obj.contains("subject")) {
            entry.subject = stringField(obj, "subject", path, r.line, true);
            if (trimmed(entry.subject).empty())
                throwBadInput(where(path, r.line) + "the subject is empty");
        }
        entry.split = lower(trimmed(stringField(obj, "split", path, r.line, false)));
        out.push_back(std::move(entry));
    }
    return out;
}

} // namespace ft
