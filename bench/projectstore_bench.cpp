// Project store at scale: 1M synthetic rows written in one transaction, then random 50-row
// pages (what the GUI's table view asks for), the filtered views (a third of the rows excluded,
// a tenth with a finding: the time to set the filter, i.e. count its matches, and to read a
// random 200-row page of them by position), and an import of a generated JSONL file.
//   ft-bench-projectstore [ROWS=1000000] [DIR=/tmp]
#include "ft/dataimport.h"
#include "ft/project.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

static double secondsSince(Clock::time_point t)
{
    return std::chrono::duration<double>(Clock::now() - t).count();
}

static long peakRssMiB()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss / 1024;
}

int main(int argc, char **argv)
{
    const long n = argc > 1 ? std::stol(argv[1]) : 1000000;
    const fs::path dir = argc > 2 ? argv[2] : "/tmp";
    const fs::path file = dir / "ft-bench.ftproj";
    for (const char *suffix : {"", "-wal", "-shm"})
        fs::remove(file.string() + suffix);

    ft::ProjectStore store(file);
    auto t = Clock::now();
    auto w = store.beginDataset({"synthetic", "generated", "alpaca", nlohmann::json::object(), "bench"});
    for (long i = 0; i < n; ++i) {
        ft::NewRow r;
        r.source = "gen";
        const std::string q = "Question number " + std::to_string(i) + ": explain the idea in a few words.";
        const std::string a = "Answer " + std::to_string(i) + ": a short reply that is about this long.";
        r.original = {{"instruction", q}, {"input", ""}, {"output", a}};
        r.messages = {{"user", q}, {"assistant", a}};
        w->addRow(r);
    }
    const ft::DatasetInfo d = w->commit();
    const double insertS = secondsSince(t);
    std::printf("insert %ld rows: %.2f s (%.0f rows/s), file %.0f MiB\n", n, insertS, n / insertS,
                (fs::file_size(file) + (fs::exists(file.string() + "-wal") ? fs::file_size(file.string() + "-wal") : 0)) / 1048576.0);

    std::mt19937_64 rng(1);
    std::vector<double> ms;
    for (int k = 0; k < 1000; ++k) {
        const int64_t off = static_cast<int64_t>(rng() % static_cast<uint64_t>(std::max<long>(1, n - 50)));
        t = Clock::now();
        const auto page = store.rows(d.id, off, 50);
        ms.push_back(secondsSince(t) * 1000);
        if (page.empty() || page.front().index != off)
            return 1;
    }
    std::sort(ms.begin(), ms.end());
    std::printf("random 50-row pages: median %.3f ms, p99 %.3f ms, max %.3f ms\n", ms[ms.size() / 2],
                ms[ms.size() * 99 / 100], ms.back());
    t = Clock::now();
    const int64_t count = store.rowCount(d.id);
    std::printf("rowCount %lld: %.1f ms\n", static_cast<long long>(count), secondsSince(t) * 1000);

    // Filtered views, as the table model asks for them: a count when the filter is set, then
    // 200-row pages at random positions among the matches.
    {
        std::vector<int64_t> excluded;
        std::vector<ft::Finding> findings;
        for (long i = 0; i < n; ++i) {
            if (i % 3 == 0)
                excluded.push_back(i);
            if (i % 10 == 0)
                findings.push_back({i, "exact_duplicate", "warning", nlohmann::json::object()});
        }
        t = Clock::now();
        store.setStatus(d.id, excluded, ft::RowStatus::Excluded);
        std::printf("setStatus on %zu rows: %.2f s\n", excluded.size(), secondsSince(t));
        t = Clock::now();
        store.replaceFindings(d.id, findings);
        std::printf("replaceFindings %zu: %.2f s\n", findings.size(), secondsSince(t));
    }
    for (const ft::RowFilter &filter : {ft::RowFilter{ft::RowStatus::Excluded, {}},
                                        ft::RowFilter{ft::RowStatus::Pending, {}},
                                        ft::RowFilter{std::nullopt, "exact_duplicate"},
                                        ft::RowFilter{ft::RowStatus::Excluded, "exact_duplicate"}}) {
        std::vector<double> setMs;
        int64_t matches = 0;
        for (int k = 0; k < 5; ++k) {
            t = Clock::now();
            matches = store.rowCount(d.id, filter);
            setMs.push_back(secondsSince(t) * 1000);
        }
        std::sort(setMs.begin(), setMs.end());
        std::vector<double> pageMs;
        for (int k = 0; k < 200; ++k) {
            const int64_t pos = static_cast<int64_t>(rng() % static_cast<uint64_t>(std::max<int64_t>(1, matches - 200)));
            t = Clock::now();
            const auto page = store.rows(d.id, filter, pos, 200);
            pageMs.push_back(secondsSince(t) * 1000);
            if (page.empty())
                return 1;
        }
        std::sort(pageMs.begin(), pageMs.end());
        std::printf("filter %s%s%s (%lld matches): set (count) median %.1f ms; random 200-row page median %.1f "
                    "ms, p99 %.1f ms, max %.1f ms\n",
                    filter.status ? ft::rowStatusName(*filter.status) : "",
                    filter.status && !filter.findingKind.empty() ? " + " : "", filter.findingKind.c_str(),
                    static_cast<long long>(matches), setMs[setMs.size() / 2], pageMs[pageMs.size() / 2],
                    pageMs[pageMs.size() * 99 / 100], pageMs.back());
    }

    // Import of a generated JSONL file of the same size.
    const fs::path jsonl = dir / "ft-bench.jsonl";
    {
        std::ofstream out(jsonl);
        for (long i = 0; i < n; ++i)
            out << "{\"instruction\": \"Imported question " << i << " about something\", \"input\": \"\", "
                << "\"output\": \"A reply of moderate length for row " << i << ".\"}\n";
    }
    t = Clock::now();
    const ft::ImportResult r = ft::importDataset(store, {jsonl}, {});
    const double importS = secondsSince(t);
    std::printf("import %s (%.0f MiB, %lld rows): %.2f s (%.0f rows/s); peak RSS %ld MiB\n", jsonl.c_str(),
                fs::file_size(jsonl) / 1048576.0, static_cast<long long>(r.dataset.rowCount), importS,
                r.dataset.rowCount / importS, peakRssMiB());
    fs::remove(jsonl);
    for (const char *suffix : {"", "-wal", "-shm"})
        fs::remove(file.string() + suffix);
    return 0;
}
