// One benchmark file at a time: an MMLU / C-Eval / CMMLU CSV or a JSONL file, read into items.
// Untrusted input: every problem is a BadInput "file:row: problem".
#pragma once

#include "ft/benchmark.h"

#include <filesystem>
#include <string>
#include <vector>

namespace ft {

// Items and counts are bounded so that a hostile file cannot exhaust memory through them.
constexpr size_t kMaxBenchmarkItemsPerFile = 1000000;
constexpr int kMaxBenchmarkChoices = 26;

struct CsvBenchmarkFile
{
    // Auto for MMLU's header-less files; Ceval (lower-case "question") or Cmmlu ("Question")
    // when a header names the columns.
    PromptStyle style = PromptStyle::Auto;
    std::vector<BenchmarkItem> items;
};

CsvBenchmarkFile readBenchmarkCsv(const std::filesystem::path &path);

struct JsonlBenchmarkItem
{
    std::string subject; // empty: the file's subject
    std::string split;   // the record's "split" field, lower-cased; empty when absent
    BenchmarkItem item;
};

std::vector<JsonlBenchmarkItem> readBenchmarkJsonl(const std::filesystem::path &path);

// "A" -> 0 ... "Z" -> 25 (case-insensitive, surrounding spaces ignored); -1 when not a letter.
int choiceIndexOfLabel(const std::string &label);

} // namespace ft
