// finetune-cli data ...: import files into a project (*.ftproj), list, split, page through rows,
// accept / exclude / edit rows, and export the cleaned set.
#include "datacommands.h"

#include "ft/jsonparse.h"
#include "ft/dataimport.h"
#include "ft/error.h"
#include "ft/project.h"
#include "ft/reviewstore.h"

#include <nlohmann/json.hpp>

#include <algorithm>

#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

using nlohmann::json;
using nlohmann::ordered_json;

namespace ftcli {
namespace {

std::atomic<bool> g_cancel{false};
extern "C" void onImportSignal(int) { g_cancel.store(true); }

struct DataArgs
{
    std::string project;
    std::string dataset;
    bool json = false;
    // import
    std::vector<std::string> files;
    std::string name;
    std::string format = "auto";
    std::vector<std::string> maps;
    std::string textSplit = "auto";
    bool allowDuplicate = false;
    // split
    double val = 0.1, test = 0.0;
    uint64_t seed = 42;
    std::string stratify;
    // export
    bool onlyAccepted = false;
    std::string split;
    std::string out;
    // rows
    int64_t offset = 0, limit = 20;
    // set-status / edit
    std::string rows;
    std::string whereFinding;  // set-status: the rows with a finding of this kind (data review)
    std::string status;
    int64_t row = -1;
    std::string messages;
};

void print(const ordered_json &j)
{
    std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << '\n';
}

std::map<std::string, std::string> parseMaps(const std::vector<std::string> &maps)
{
    std::map<std::string, std::string> out;
    for (const auto &m : maps) {
        const auto eq = m.find('=');
        if (eq == std::string::npos || eq == 0 || eq + 1 == m.size())
            ft::throwBadInput("--map " + m + ": expected column=field (e.g. --map question=instruction)");
        out[m.substr(0, eq)] = m.substr(eq + 1);
    }
    return out;
}

ordered_json badRowsJson(const ft::ImportResult &r)
{
    ordered_json list = ordered_json::array();
    for (const auto &b : r.badRows)
        list.push_back({{"file", b.file}, {"line", b.line}, {"record", b.record}, {"reason", b.reason}});
    return list;
}

ordered_json importJson(const ft::ImportResult &r)
{
    return {{"name", r.dataset.name},
            {"format", r.dataset.format},
            {"rows", r.dataset.rowCount},
            {"confidence", r.detection.confidence},
            {"reason", r.detection.reason},
            {"encoding", r.encoding},
            {"content_hash", r.dataset.contentHash},
            {"bad_rows", r.badRowCount},
            {"bad_row_list", badRowsJson(r)},
            {"duplicate_of", r.duplicateOf.empty() ? ordered_json() : ordered_json(r.duplicateOf)}};
}

void printImportText(const ft::ImportResult &r)
{
    std::printf("imported '%s': %lld rows, format %s (confidence %.2f: %s), encoding %s\n", r.dataset.name.c_str(),
                static_cast<long long>(r.dataset.rowCount), r.dataset.format.c_str(), r.detection.confidence,
                r.detection.reason.c_str(), r.encoding.c_str());
    if (!r.duplicateOf.empty())
        std::printf("  note: same content as dataset '%s'\n", r.duplicateOf.c_str());
    if (r.badRowCount > 0) {
        std::printf("  %lld bad rows skipped:\n", static_cast<long long>(r.badRowCount));
        for (size_t i = 0; i < r.badRows.size() && i < 10; ++i)
            std::printf("    %s line %lld: %s\n", r.badRows[i].file.c_str(), static_cast<long long>(r.badRows[i].line),
                        r.badRows[i].reason.c_str());
    }
}

bool isRegistry(const std::string &file)
{
    return std::filesystem::path(file).filename() == "dataset_info.json";
}

void runImport(const DataArgs &a)
{
    ft::ImportOptions o;
    o.name = a.name;
    const auto format = ft::parseDataFormat(a.format);
    if (!format)
        ft::throwBadInput("--format " + a.format + ": expected auto, alpaca, sharegpt, messages, text, preference or choice");
    o.format = *format;
    o.columnMap = parseMaps(a.maps);
    const auto split = ft::parseTextSplit(a.textSplit);
    if (!split)
        ft::throwBadInput("--text-split " + a.textSplit + ": expected auto, line, paragraph or file");
    o.textSplit = *split;
    o.allowDuplicate = a.allowDuplicate;
    o.cancel = &g_cancel;
    if (!a.json)
        o.progress = [](const ft::ImportProgress &p) {
            std::fprintf(stderr, "\rimporting: %lld rows, %.0f%% ", static_cast<long long>(p.rows),
                         p.bytesTotal ? 100.0 * p.bytesDone / p.bytesTotal : 100.0);
        };
    // A project file this command created is removed again when the import fails or is
    // cancelled, so a failed first import leaves nothing behind.
    const bool existed = std::filesystem::exists(a.project);
    try {
        std::signal(SIGINT, onImportSignal);
        std::signal(SIGTERM, onImportSignal);
        ft::ProjectStore store(a.project);
        ordered_json out = ordered_json::array();
        std::vector<std::filesystem::path> plain;
        for (const auto &f : a.files) {
            if (!isRegistry(f)) {
                plain.push_back(f);
                continue;
            }
            // A LLaMA-Factory registry: each local entry is its own dataset.
            for (const auto &e : ft::importRegistry(store, f, o)) {
                ordered_json j = {{"name", e.name}, {"status", e.status}, {"file", e.file}};
                if (!e.problem.empty())
                    j["problem"] = e.problem;
                if (e.result) {
                    j["format"] = e.result->dataset.format;
                    j["rows"] = e.result->dataset.rowCount;
                    j["bad_rows"] = e.result->badRowCount;
                }
                if (!a.json && e.status != "remote")
                    std::printf("%-24s %-9s %s\n", e.name.c_str(), e.status.c_str(),
                                e.result ? (std::to_string(e.result->dataset.rowCount) + " rows, " + e.result->dataset.format).c_str()
                                         : e.problem.c_str());
                out.push_back(j);
            }
        }
        if (!plain.empty()) {
            if (plain.size() > 1 && a.name.empty()) {
                // Several files without --name: a dataset each.
                for (const auto &f : plain) {
                    const ft::ImportResult r = ft::importDataset(store, {f}, o);
                    a.json ? void(out.push_back(importJson(r))) : printImportText(r);
                }
            } else {
                const ft::ImportResult r = ft::importDataset(store, plain, o);
                a.json ? void(out.push_back(importJson(r))) : printImportText(r);
            }
        }
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        if (!a.json)
            std::fprintf(stderr, "\r%40s\r", "");
        if (a.json)
            print(out);
    } catch (...) {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        if (!a.json)
            std::fprintf(stderr, "\r%40s\r", ""); // the error's line replaces the progress line
        if (!existed) {
            std::error_code ec;
            for (const char *suffix : {"", "-wal", "-shm"})
                std::filesystem::remove(a.project + suffix, ec);
        }
        throw;
    }
}

void runList(const DataArgs &a)
{
    ft::ProjectStore store(a.project, true);
    ordered_json list = ordered_json::array();
    for (const auto &d : store.datasets()) {
        const ft::SplitCounts s = store.splitCounts(d.id);
        ordered_json j = {{"name", d.name},
                          {"format", d.format},
                          {"rows", d.rowCount},
                          {"findings", d.findingCount},
                          {"accepted", store.rowCount(d.id, ft::RowStatus::Accepted)},
                          {"excluded", store.rowCount(d.id, ft::RowStatus::Excluded)},
                          {"source", d.sourcePath},
                          {"content_hash", d.contentHash},
                          {"imported_at", d.importedAt}};
        if (s.train + s.validation + s.test > 0)
            j["splits"] = {{"train", s.train}, {"validation", s.validation}, {"test", s.test}};
        list.push_back(j);
    }
    if (a.json) {
        print(list);
        return;
    }
    for (const auto &j : list)
        std::printf("%-24s %-10s %8lld rows %6lld findings\n", j["name"].get<std::string>().c_str(),
                    j["format"].get<std::string>().c_str(), static_cast<long long>(j["rows"].get<int64_t>()),
                    static_cast<long long>(j["findings"].get<int64_t>()));
}

void runSplit(const DataArgs &a)
{
    if (!a.stratify.empty() && a.stratify != "source")
        ft::throwBadInput("--stratify " + a.stratify + ": only 'source' is supported");
    ft::ProjectStore store(a.project, true);
    const ft::DatasetInfo d = store.dataset(a.dataset);
    const ft::SplitCounts c = store.assignSplits(d.id, {a.val, a.test, a.seed, !a.stratify.empty()});
    const ordered_json j = {{"dataset", d.name}, {"seed", a.seed},
                            {"train", c.train}, {"validation", c.validation}, {"test", c.test}};
    if (a.json)
        print(j);
    else
        std::printf("%s: train %lld, validation %lld, test %lld (seed %llu)\n", d.name.c_str(),
                    static_cast<long long>(c.train), static_cast<long long>(c.validation),
                    static_cast<long long>(c.test), static_cast<unsigned long long>(a.seed));
}

void runExport(const DataArgs &a)
{
    ft::ProjectStore store(a.project, true);
    ft::ExportOptions o;
    o.format = a.format == "auto" ? "alpaca" : a.format;
    o.onlyAccepted = a.onlyAccepted;
    o.split = a.split;
    const ft::ExportResult r = ft::exportDataset(store, a.dataset, a.out, o);
    ordered_json j = {{"out", a.out}, {"written", r.written}, {"skipped", r.skipped}};
    if (!r.firstSkipReason.empty())
        j["first_skip_reason"] = r.firstSkipReason;
    if (a.json)
        print(j);
    else
        std::printf("wrote %lld rows to %s%s\n", static_cast<long long>(r.written), a.out.c_str(),
                    r.skipped ? (" (" + std::to_string(r.skipped) + " skipped: " + r.firstSkipReason + ")").c_str() : "");
}

ordered_json messagesJson(const std::vector<ft::ChatMessage> &ms)
{
    ordered_json list = ordered_json::array();
    for (const auto &m : ms)
        list.push_back({{"role", m.role}, {"content", m.content}});
    return list;
}

void runRows(const DataArgs &a)
{
    ft::ProjectStore store(a.project, true);
    const ft::DatasetInfo d = store.dataset(a.dataset);
    if (a.offset < 0 || a.limit < 0)
        ft::throwBadInput("--offset and --limit must be >= 0");
    ordered_json list = ordered_json::array();
    for (const auto &r : store.rows(d.id, a.offset, a.limit)) {
        ordered_json j = {{"index", r.index},
                          {"source", r.source},
                          {"kind", ft::rowKindName(r.kind)},
                          {"status", ft::rowStatusName(r.status)},
                          {"split", r.split},
                          {"system", r.system},
                          {"messages", messagesJson(r.messages)},
                          {"edited", r.edited ? messagesJson(*r.edited) : ordered_json()},
                          {"findings", r.findingCount},
                          {"original", r.original}};
        list.push_back(j);
    }
    const ordered_json out = {{"dataset", d.name}, {"total", d.rowCount}, {"offset", a.offset}, {"rows", list}};
    if (a.json) {
        print(out);
        return;
    }
    for (const auto &j : list) {
        std::string first = j["messages"].empty() ? "" : j["messages"][0]["content"].get<std::string>();
        if (first.size() > 70)
            first = first.substr(0, 70) + "...";
        std::printf("%6lld %-9s %s\n", static_cast<long long>(j["index"].get<int64_t>()),
                    j["status"].get<std::string>().c_str(), first.c_str());
    }
}

// "1,2,5-9" -> {1, 2, 5, 6, 7, 8, 9}
std::vector<int64_t> parseRowList(const std::string &text)
{
    std::vector<int64_t> out;
    std::stringstream ss(text);
    std::string part;
    auto num = [&](const std::string &s) -> int64_t {
        if (s.empty() || s.find_first_not_of("0123456789") != std::string::npos || s.size() > 15)
            ft::throwBadInput("--rows " + text + ": '" + s + "' is not a row number");
        return std::stoll(s);
    };
    while (std::getline(ss, part, ',')) {
        const auto dash = part.find('-');
        if (dash == std::string::npos) {
            out.push_back(num(part));
            continue;
        }
        const int64_t lo = num(part.substr(0, dash)), hi = num(part.substr(dash + 1));
        if (hi < lo || hi - lo > 100000000)
            ft::throwBadInput("--rows " + text + ": bad range '" + part + "'");
        for (int64_t i = lo; i <= hi; ++i)
            out.push_back(i);
    }
    if (out.empty())
        ft::throwBadInput("--rows: no rows given");
    return out;
}

void runSetStatus(const DataArgs &a)
{
    const auto status = ft::parseRowStatus(a.status);
    if (!status)
        ft::throwBadInput("status '" + a.status + "': expected accepted, excluded or pending");
    ft::ProjectStore store(a.project, true);
    const ft::DatasetInfo d = store.dataset(a.dataset);
    if (a.rows.empty() && a.whereFinding.empty())
        ft::throwBadInput("set-status: give --rows and/or --where-finding KIND");
    std::vector<int64_t> rows = a.rows.empty() ? std::vector<int64_t>{} : parseRowList(a.rows);
    if (!a.whereFinding.empty()) {
        const auto flagged = ft::rowsWithFinding(store, d.id, a.whereFinding);
        rows.insert(rows.end(), flagged.begin(), flagged.end());
        std::sort(rows.begin(), rows.end());
        rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    }
    store.setStatus(d.id, rows, *status);
    if (a.json)
        print({{"dataset", d.name}, {"status", a.status}, {"rows", rows.size()}});
    else
        std::printf("%zu rows of '%s' are now %s\n", rows.size(), d.name.c_str(), a.status.c_str());
}

void runEdit(const DataArgs &a)
{
    json doc = ft::readJsonFileBounded(a.messages);
    if (doc.is_object() && doc.contains("messages"))
        doc = doc["messages"];
    const auto messages = ft::messagesFromJson(doc, a.messages);
    if (messages.empty())
        ft::throwBadInput(a.messages + ": messages: the list is empty");
    ft::ProjectStore store(a.project, true);
    const ft::DatasetInfo d = store.dataset(a.dataset);
    store.editRow(d.id, a.row, messages);
    if (a.json)
        print({{"dataset", d.name}, {"row", a.row}, {"edited", true}});
    else
        std::printf("row %lld of '%s' edited (the original is kept)\n", static_cast<long long>(a.row), d.name.c_str());
}

} // namespace

CLI::App *addDataCommands(CLI::App &app, Runner &run)
{
    auto a = std::make_shared<DataArgs>();
    CLI::App *data = app.add_subcommand("data", "Datasets in a project file (*.ftproj): import, review, split, export");
    data->require_subcommand(1);
    auto common = [&](CLI::App *cmd, bool needDataset) {
        cmd->add_option("--project", a->project, "Project file (*.ftproj)")->required();
        if (needDataset)
            cmd->add_option("--dataset", a->dataset, "Dataset name")->required();
        cmd->add_flag("--json", a->json, "Print JSON");
    };
    auto bind = [&run, a](CLI::App *cmd, void (*fn)(const DataArgs &)) {
        cmd->callback([&run, a, fn] { run = [a, fn] { fn(*a); }; });
    };

    CLI::App *imp = data->add_subcommand("import", "Import data files (JSON, JSONL, CSV, TSV, text, a folder, "
                                                   "or LLaMA-Factory's dataset_info.json)");
    imp->add_option("files", a->files, "Files or folders")->required();
    common(imp, false);
    imp->add_option("--name", a->name, "Dataset name (default: the file name without extension)");
    imp->add_option("--format", a->format, "auto, alpaca, sharegpt, messages, text, preference or choice");
    imp->add_option("--map", a->maps, "column=field: read the file's column as this field (repeatable)");
    imp->add_option("--text-split", a->textSplit, "Plain text: auto, line, paragraph or file");
    imp->add_flag("--allow-duplicate", a->allowDuplicate, "Import content that is already in the project");
    bind(imp, runImport);

    CLI::App *list = data->add_subcommand("list", "List the project's datasets");
    common(list, false);
    bind(list, runList);

    CLI::App *split = data->add_subcommand("split", "Seeded train / validation / test split");
    common(split, true);
    split->add_option("--val", a->val, "Validation share (default 0.1)");
    split->add_option("--test", a->test, "Test share (default 0)");
    split->add_option("--seed", a->seed, "Random seed (default 42)");
    split->add_option("--stratify", a->stratify, "'source': keep each source file's share in every split");
    bind(split, runSplit);

    CLI::App *exp = data->add_subcommand("export", "Write a dataset as JSONL (alpaca or messages)");
    common(exp, true);
    exp->add_option("--format", a->format, "alpaca (default) or messages");
    exp->add_flag("--only-accepted", a->onlyAccepted, "Only rows marked accepted (default: all but excluded)");
    exp->add_option("--split", a->split, "Only this split: train, validation or test");
    exp->add_option("--out", a->out, "Output .jsonl")->required();
    bind(exp, runExport);

    CLI::App *rows = data->add_subcommand("rows", "Print a page of rows");
    common(rows, true);
    rows->add_option("--offset", a->offset, "First row (0-based)");
    rows->add_option("--limit", a->limit, "Number of rows (default 20)");
    bind(rows, runRows);

    CLI::App *status = data->add_subcommand("set-status", "Mark rows accepted, excluded or pending");
    common(status, true);
    status->add_option("--rows", a->rows, "Row numbers: 1,2,5-9");
    status->add_option("--where-finding", a->whereFinding,
                       "Rows with a review finding of this kind (e.g. exact_duplicate, pii, pii:email)");
    status->add_option("status", a->status, "accepted, excluded or pending")->required();
    bind(status, runSetStatus);

    CLI::App *edit = data->add_subcommand("edit", "Replace a row's conversation (the original is kept)");
    common(edit, true);
    edit->add_option("--row", a->row, "Row number (0-based)")->required();
    edit->add_option("--messages", a->messages, "JSON file: [{role, content}...] or {\"messages\": [...]}")->required();
    bind(edit, runEdit);

    // `data review` (quality findings) is added by the review command to the returned app.
    return data;
}

} // namespace ftcli
