// exportDataset: a project dataset as Alpaca or messages JSONL, written atomically; and the
// record the trainer reads for a project row.
#include "ft/dataimport.h"

#include "data/normalise.h"
#include "ft/error.h"

#include <fstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {
namespace {

std::map<std::string, std::string> columnsOf(const DatasetInfo &ds)
{
    std::map<std::string, std::string> m;
    if (ds.columnMapping.contains("columns") && ds.columnMapping["columns"].is_object())
        for (const auto &c : ds.columnMapping["columns"].items())
            if (c.value().is_string())
                m[c.key()] = c.value().get<std::string>();
    return m;
}

// An unedited Alpaca row: its own fields, so input stays separate from instruction.
std::optional<json> originalAlpaca(const ProjectRow &row, const DatasetInfo &ds)
{
    if (ds.format != "alpaca" || row.edited || row.kind != RowKind::Sft)
        return std::nullopt;
    const json r = applyColumnMap(row.original, columnsOf(ds));
    json out = json::object();
    for (const char *k : {"instruction", "input", "output", "system", "history"}) {
        const auto it = r.find(k);
        if (it != r.end() && !it->is_null())
            out[k] = *it;
    }
    if (!out.contains("input"))
        out["input"] = "";
    return out;
}

json messagesRecord(const ProjectRow &row)
{
    json list = json::array();
    if (!row.system.empty())
        list.push_back({{"role", "system"}, {"content", row.system}});
    for (const auto &m : row.effectiveMessages())
        list.push_back({{"role", m.role}, {"content", m.content}});
    return {{"messages", list}};
}

// Alpaca from messages: user/assistant pairs; the last pair is instruction/output, the earlier
// ones the history. Throws std::runtime_error when the turns do not fit that shape.
json alpacaFromMessages(const ProjectRow &row)
{
    const auto &ms = row.effectiveMessages();
    if (row.kind == RowKind::Text)
        throw std::runtime_error("a text row has no instruction and response");
    if (ms.size() < 2 || ms.size() % 2)
        throw std::runtime_error("Alpaca needs user/assistant pairs (the row has " + std::to_string(ms.size()) +
                                 " turns)");
    json history = json::array();
    for (size_t i = 0; i < ms.size(); i += 2) {
        if (ms[i].role != "user" || ms[i + 1].role != "assistant")
            throw std::runtime_error("turn " + std::to_string(i) + ": Alpaca needs user then assistant (found " +
                                     ms[i].role + ", " + ms[i + 1].role + ")");
        if (i + 2 < ms.size())
            history.push_back({ms[i].content, ms[i + 1].content});
    }
    json out = {{"instruction", ms[ms.size() - 2].content}, {"input", ""}, {"output", ms.back().content}};
    if (!row.system.empty())
        out["system"] = row.system;
    if (!history.empty())
        out["history"] = history;
    return out;
}

} // namespace

// A preference row: its conversation (prompt and chosen reply, what sft trains on) plus the
// rejected reply, which only the original record holds (stages dpo / orpo read both).
json preferenceRecord(const ProjectRow &row, const DatasetInfo &dataset)
{
    json record = messagesRecord(row);
    const json original = applyColumnMap(row.original, columnsOf(dataset));
    if (original.is_object() && original.contains("rejected"))
        record["rejected"] = original["rejected"];
    return record;
}

json trainingRecord(const ProjectRow &row, const DatasetInfo &dataset)
{
    if (auto a = originalAlpaca(row, dataset))
        return *a;
    if (row.kind == RowKind::Preference)
        return preferenceRecord(row, dataset);
    if (row.kind == RowKind::Text)
        return {{"text", row.effectiveMessages().empty() ? std::string() : row.effectiveMessages().front().content}};
    return messagesRecord(row);
}

ExportResult exportDataset(const ProjectStore &store, const std::string &datasetName, const fs::path &out,
                           const ExportOptions &o)
{
    if (o.format != "alpaca" && o.format != "messages")
        throwBadInput("export: --format must be alpaca or messages (got '" + o.format + "')");
    if (!o.split.empty() && o.split != "train" && o.split != "validation" && o.split != "test")
        throwBadInput("export: --split must be train, validation or test (got '" + o.split + "')");
    const DatasetInfo ds = store.dataset(datasetName);
    if (!o.split.empty() && !store.hasSplits(ds.id))
        throwBadInput("export: dataset '" + datasetName + "' has no splits yet (run `data split` first)");
    const fs::path tmp = out.string() + ".tmp";
    ExportResult result;
    {
        std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
        if (!f)
            throwBadInput(out.string() + ": cannot write");
        store.forEachRow(ds.id, [&](const ProjectRow &row) {
            if (o.onlyAccepted ? row.status != RowStatus::Accepted : row.status == RowStatus::Excluded)
                return true;
            if (!o.split.empty() && row.split != o.split)
                return true;
            try {
                json rec;
                if (o.format == "messages") {
                    if (row.kind == RowKind::Text)
                        throw std::runtime_error("a text row has no conversation");
                    rec = messagesRecord(row);
                } else if (auto a = originalAlpaca(row, ds)) {
                    rec = *a;
                } else {
                    rec = alpacaFromMessages(row);
                }
                f << rec.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
                ++result.written;
            } catch (const std::runtime_error &e) {
                if (result.skipped++ == 0)
                    result.firstSkipReason = "row " + std::to_string(row.index) + ": " + e.what();
            }
            return true;
        });
        f.flush();
        if (!f) {
            std::error_code ec;
            fs::remove(tmp, ec);
            throwBadInput(out.string() + ": write failed (disk full?)");
        }
    }
    std::error_code ec;
    fs::rename(tmp, out, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throwBadInput(out.string() + ": cannot replace (" + ec.message() + ")");
    }
    return result;
}

} // namespace ft
