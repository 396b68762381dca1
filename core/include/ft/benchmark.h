// Multiple-choice benchmarks (MMLU, C-Eval, CMMLU, JSONL): reading them from untrusted files and
// building their prompts exactly as lm-evaluation-harness's mmlu / ceval-valid / cmmlu tasks do.
// Scoring lives in ft/benchmarkeval.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace ft {

struct BenchmarkItem
{
    std::string question;
    std::vector<std::string> choices; // 2..26, labelled A, B, C ...
    int answer = 0;                   // index into choices
    std::string id;                   // the file's id column, if any
    std::string source;               // "file:row", for messages and reports
};

struct BenchmarkSubject
{
    std::string name;     // file stem without the split suffix, e.g. "high_school_physics"
    std::string title;    // as the prompt names it: "high school physics", or mapping.json's
    std::string category; // from mapping.json; empty when unknown
    std::vector<BenchmarkItem> dev;   // few-shot examples (the dev split, in file order)
    std::vector<BenchmarkItem> items; // the evaluated split
};

// The prompt family: lm-eval's mmlu (English), ceval-valid and cmmlu (Chinese) tasks.
enum class PromptStyle { Auto, Mmlu, Ceval, Cmmlu };

enum class BenchmarkSplit { Test, Val, Dev };

struct Benchmark
{
    std::string name;                       // folder or file name
    PromptStyle style = PromptStyle::Mmlu;  // resolved from the layout when read with Auto
    std::vector<BenchmarkSubject> subjects; // sorted by name
};

struct BenchmarkReadOptions
{
    BenchmarkSplit split = BenchmarkSplit::Test;
    PromptStyle style = PromptStyle::Auto;
    std::vector<std::string> subjects; // empty = all
};

// Reads `path`:
//  - a folder with dev/ and val/ or test/ subfolders of <subject>_<split>.csv or <subject>.csv
//    files: MMLU's (no header: question, A, B, C, D, answer letter) or C-Eval's / CMMLU's
//    (a header row naming question, A, B, C, D, answer; optional id / explanation columns);
//    an optional mapping.json (subject -> {"name", "category"} or [english, chinese, category]);
//  - a .jsonl file (or a folder of them): one object per line with question, choices (a list),
//    answer (a letter or a 0-based index) and an optional subject; dev items may sit in a
//    sibling file <stem>_dev.jsonl or carry "split": "dev".
// Throws BadInput "file:row: problem" for a bad row, and names the path for a bad layout.
Benchmark readBenchmark(const std::filesystem::path &path, const BenchmarkReadOptions &options);

const char *promptStyleName(PromptStyle style);
PromptStyle parsePromptStyle(const std::string &name); // BadInput for an unknown name
BenchmarkSplit parseBenchmarkSplit(const std::string &name);
const char *benchmarkSplitName(BenchmarkSplit split);

// "A", "B", ... for choice `index` (0-based).
std::string choiceLabel(int index);

// Prompts, character for character as lm-eval builds them.
struct PromptParts
{
    std::string context;                    // description + shots + question + "Answer:"
    std::vector<std::string> continuations; // " A", " B", ...
};

// The subject's description line ("The following are multiple choice questions (with answers)
// about {title}.\n\n" or the Chinese equivalent).
std::string benchmarkDescription(PromptStyle style, const BenchmarkSubject &subject);
// One question as the model sees it, ending with "Answer:" (or "答案：").
std::string benchmarkQuestionText(PromptStyle style, const BenchmarkItem &item);
// The context for `item` with the first `shots` dev examples (skipping `item` itself when it is
// one of them, as lm-eval does when the few-shot split is the evaluated split).
PromptParts buildBenchmarkPrompt(PromptStyle style, const BenchmarkSubject &subject,
                                 const BenchmarkItem &item, int shots);

} // namespace ft
