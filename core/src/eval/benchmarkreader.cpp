// readBenchmark: the folder layouts (MMLU / C-Eval / CMMLU split folders, JSONL files), the
// subject -> name/category mapping, the subject filter.
#include "eval/benchmarkfiles.h"

#include "ft/benchmark.h"
#include "ft/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
using nlohmann::json;

namespace ft {

const char *promptStyleName(PromptStyle style)
{
    switch (style) {
    case PromptStyle::Auto:
        return "auto";
    case PromptStyle::Mmlu:
        return "mmlu";
    case PromptStyle::Ceval:
        return "ceval";
    case PromptStyle::Cmmlu:
        return "cmmlu";
    }
    return "auto";
}

PromptStyle parsePromptStyle(const std::string &name)
{
    for (PromptStyle s :
         {PromptStyle::Auto, PromptStyle::Mmlu, PromptStyle::Ceval, PromptStyle::Cmmlu})
        if (name == promptStyleName(s))
            return s;
    throwBadInput("unknown prompt style '" + name + "' (auto, mmlu, ceval, cmmlu)");
}

const char *benchmarkSplitName(BenchmarkSplit split)
{
    switch (split) {
    case BenchmarkSplit::Test:
        return "test";
    case BenchmarkSplit::Val:
        return "val";
    case BenchmarkSplit::Dev:
        return "dev";
    }
    return "test";
}

BenchmarkSplit parseBenchmarkSplit(const std::string &name)
{
    for (BenchmarkSplit s : {BenchmarkSplit::Test, BenchmarkSplit::Val, BenchmarkSplit::Dev})
        if (name == benchmarkSplitName(s))
            return s;
    throwBadInput("unknown split '" + name + "' (test, val, dev)");
}

namespace {

constexpr uintmax_t kMaxMappingBytes = 16u << 20;
constexpr size_t kMaxSubjects = 10000;

struct SubjectInfo
{
    std::string english, chinese, category;
};

// mapping.json (LLaMA-Factory's: subject -> {"name", "category"}) or C-Eval's
// subject_mapping.json (subject -> [english, chinese, category]).
std::map<std::string, SubjectInfo> readMapping(const fs::path &folder)
{
    std::map<std::string, SubjectInfo> mapping;
    fs::path path;
    for (const char *name : {"mapping.json", "subject_mapping.json"})
        if (fs::is_regular_file(folder / name)) {
            path = folder / name;
            break;
        }
    if (path.empty())
        return mapping;
    if (fs::file_size(path) > kMaxMappingBytes)
        throwBadInput(path.string() + ": larger than 16 MiB");
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    json doc;
    try {
        doc = json::parse(text.str());
    } catch (const json::exception &e) {
        throwBadInput(path.string() + ": not valid JSON (" + std::string(e.what()) + ")");
    }
    if (!doc.is_object())
        throwBadInput(path.string() + ": expected an object of subject -> name and category");
    for (const auto &[subject, value] : doc.items()) {
        SubjectInfo info;
        const auto text = [&](const json &v) {
            return v.is_string() ? v.get<std::string>() : std::string();
        };
        if (value.is_object()) {
            info.english = text(value.value("name", json()));
            info.category = text(value.value("category", json()));
        } else if (value.is_array() && value.size() >= 3) {
            info.english = text(value[0]);
            info.chinese = text(value[1]);
            info.category = text(value[2]);
        } else {
            throwBadInput(path.string() + ": subject '" + subject +
                          "': expected {\"name\", \"category\"} or [english, chinese, category]");
        }
        mapping[subject] = info;
    }
    return mapping;
}

std::string underscoresToSpaces(std::string s)
{
    std::replace(s.begin(), s.end(), '_', ' ');
    return s;
}

void nameSubject(BenchmarkSubject &subject, PromptStyle style,
                 const std::map<std::string, SubjectInfo> &mapping)
{
    subject.title = underscoresToSpaces(subject.name); // lm-eval's mmlu: subject.replace("_", " ")
    const auto it = mapping.find(subject.name);
    if (it == mapping.end())
        return;
    subject.category = it->second.category;
    if (style != PromptStyle::Mmlu && !it->second.chinese.empty())
        subject.title = it->second.chinese;
    else if (!it->second.english.empty())
        subject.title = it->second.english;
}

// "anatomy_test.csv" -> "anatomy" for split "test"; "agronomy.csv" -> "agronomy".
std::string subjectOfFile(const fs::path &file, const std::string &split)
{
    std::string stem = file.stem().string();
    const std::string suffix = "_" + split;
    if (stem.size() >= suffix.size() &&
        stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0)
        stem.resize(stem.size() - suffix.size());
    if (stem.empty())
        throwBadInput(file.string() + ": empty subject name (expected <subject>_" + split +
                      file.extension().string() + ")");
    return stem;
}

std::vector<fs::path> filesWithExtension(const fs::path &folder, const std::string &ext)
{
    std::vector<fs::path> files;
    for (const auto &entry : fs::directory_iterator(folder))
        if (entry.is_regular_file() && entry.path().extension() == ext)
            files.push_back(entry.path());
    if (files.size() > kMaxSubjects)
        throwBadInput(folder.string() + ": more than 10000 " + ext + " files");
    std::sort(files.begin(), files.end());
    return files;
}

std::string listNames(const std::vector<std::string> &names)
{
    std::string out;
    for (size_t i = 0; i < names.size() && i < 12; ++i)
        out += (i ? ", " : "") + names[i];
    if (names.size() > 12)
        out += ", ... (" + std::to_string(names.size()) + " in all)";
    return out;
}

std::vector<std::string> subfolderNames(const fs::path &folder)
{
    std::vector<std::string> names;
    for (const auto &entry : fs::directory_iterator(folder))
        if (entry.is_directory())
            names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

Benchmark readCsvFolder(const fs::path &root, const BenchmarkReadOptions &options)
{
    const std::string split = benchmarkSplitName(options.split);
    const fs::path splitDir = root / split;
    if (!fs::is_directory(splitDir))
        throwBadInput(root.string() + ": no " + split +
                      "/ folder (found: " + listNames(subfolderNames(root)) + ")");
    Benchmark bench;
    bench.name = root.filename().string();
    PromptStyle detected = PromptStyle::Auto;
    std::map<std::string, fs::path> devFiles;
    if (fs::is_directory(root / "dev"))
        for (const fs::path &f : filesWithExtension(root / "dev", ".csv"))
            devFiles[subjectOfFile(f, "dev")] = f;
    for (const fs::path &file : filesWithExtension(splitDir, ".csv")) {
        BenchmarkSubject subject;
        subject.name = subjectOfFile(file, split);
        CsvBenchmarkFile items = readBenchmarkCsv(file);
        if (detected == PromptStyle::Auto)
            detected = items.style;
        if (items.items.empty())
            throwBadInput(file.string() + ": no questions");
        subject.items = std::move(items.items);
        const auto dev = devFiles.find(subject.name);
        if (options.split == BenchmarkSplit::Dev)
            subject.dev = subject.items;
        else if (dev != devFiles.end())
            subject.dev = readBenchmarkCsv(dev->second).items;
        bench.subjects.push_back(std::move(subject));
    }
    if (bench.subjects.empty())
        throwBadInput(splitDir.string() + ": no .csv files");
    bench.style = detected == PromptStyle::Auto ? PromptStyle::Mmlu : detected;
    return bench;
}

Benchmark readJsonl(const fs::path &path, const BenchmarkReadOptions &options)
{
    const std::string split = benchmarkSplitName(options.split);
    std::vector<fs::path> files;
    if (fs::is_directory(path)) {
        for (const fs::path &f : filesWithExtension(path, ".jsonl"))
            files.push_back(f);
    } else {
        files.push_back(path);
    }
    Benchmark bench;
    bench.name = path.filename().string();
    bench.style = PromptStyle::Mmlu;
    std::map<std::string, BenchmarkSubject> subjects;
    const auto add = [&](const fs::path &file, bool devFile) {
        const std::string fileSubject = subjectOfFile(file, devFile ? "dev" : split);
        for (JsonlBenchmarkItem &e : readBenchmarkJsonl(file)) {
            const std::string name = e.subject.empty() ? fileSubject : e.subject;
            BenchmarkSubject &s = subjects[name];
            s.name = name;
            const bool isDev = devFile || e.split == "dev";
            const bool evaluated =
                !devFile &&
                (e.split.empty() ? options.split != BenchmarkSplit::Dev : e.split == split);
            if (isDev)
                s.dev.push_back(e.item);
            if (evaluated)
                s.items.push_back(std::move(e.item));
            if (subjects.size() > kMaxSubjects)
                throwBadInput(file.string() + ": more than 10000 subjects");
        }
    };
    for (const fs::path &file : files) {
        const std::string stem = file.stem().string();
        if (stem.size() > 4 && stem.compare(stem.size() - 4, 4, "_dev") == 0)
            continue; // read as the dev file of its sibling
        add(file, false);
        std::string base = stem;
        for (const std::string &suffix : {"_" + split, std::string("_test"), std::string("_val")})
            if (base.size() > suffix.size() &&
                base.compare(base.size() - suffix.size(), suffix.size(), suffix) == 0) {
                base.resize(base.size() - suffix.size());
                break;
            }
        const fs::path devFile = file.parent_path() / (base + "_dev.jsonl");
        if (fs::is_regular_file(devFile) && options.split != BenchmarkSplit::Dev)
            add(devFile, true);
    }
    for (auto &[name, subject] : subjects)
        if (!subject.items.empty())
            bench.subjects.push_back(std::move(subject));
    if (bench.subjects.empty())
        throwBadInput(path.string() + ": no " + split + " questions");
    return bench;
}

bool hasJsonlFiles(const fs::path &folder)
{
    for (const auto &entry : fs::directory_iterator(folder))
        if (entry.is_regular_file() && entry.path().extension() == ".jsonl")
            return true;
    return false;
}

} // namespace

Benchmark readBenchmark(const fs::path &path, const BenchmarkReadOptions &options)
{
    Benchmark bench;
    std::map<std::string, SubjectInfo> mapping;
    if (fs::is_regular_file(path) && path.extension() == ".jsonl") {
        bench = readJsonl(path, options);
        mapping = readMapping(path.parent_path());
    } else if (fs::is_directory(path) &&
               fs::is_directory(path / benchmarkSplitName(options.split))) {
        bench = readCsvFolder(path, options);
        mapping = readMapping(path);
    } else if (fs::is_directory(path) && hasJsonlFiles(path)) {
        bench = readJsonl(path, options);
        mapping = readMapping(path);
    } else if (fs::is_directory(path) &&
               (fs::is_directory(path / "dev") || fs::is_directory(path / "test"))) {
        bench = readCsvFolder(path, options); // names the missing split folder
    } else if (!fs::exists(path)) {
        throwBadInput(path.string() + ": no such file or folder");
    } else {
        throwBadInput(
            path.string() +
            ": unknown benchmark layout (expected a folder with dev/ and "
            "test/ or val/ folders of CSV files, a .jsonl file, or a folder of .jsonl files)");
    }
    if (options.style != PromptStyle::Auto)
        bench.style = options.style;
    if (!options.subjects.empty()) {
        std::vector<std::string> have;
        for (const BenchmarkSubject &s : bench.subjects)
            have.push_back(s.name);
        std::vector<BenchmarkSubject> picked;
        for (const std::string &name :
             std::set<std::string>(options.subjects.begin(), options.subjects.end())) {
            const auto it = std::find(have.begin(), have.end(), name);
            if (it == have.end())
                throwBadInput(path.string() + ": unknown subject '" + name +
                              "' (have: " + listNames(have) + ")");
            picked.push_back(std::move(bench.subjects[it - have.begin()]));
        }
        bench.subjects = std::move(picked);
    }
    for (BenchmarkSubject &s : bench.subjects)
        nameSubject(s, bench.style, mapping);
    return bench;
}

} // namespace ft
