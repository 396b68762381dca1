// Project store at scale: 1M synthetic rows written in one transaction, then random 50-row
// pages (what the GUI's table view asks for), and an import of a generated JSONL file.
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
