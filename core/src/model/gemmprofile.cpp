#include "model/gemmprofile.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <tuple>
#include <vector>

namespace ft {

namespace {

using Shape = std::tuple<char, char, int64_t, int64_t, int64_t>;

struct Totals
{
    int64_t calls = 0;
    double seconds = 0;
};

struct Table
{
    std::mutex mutex;
    std::map<Shape, Totals> shapes;
};

Table &table()
{
    static Table t;
    return t;
}

const char *profilePath()
{
    static const char *path = [] {
        const char *p = std::getenv("FT_PROFILE_GEMMS");
        return p && *p ? p : nullptr;
    }();
    return path;
}

double gflop(const Shape &s, int64_t calls)
{
    return 2.0 * static_cast<double>(std::get<2>(s)) * static_cast<double>(std::get<3>(s)) *
           static_cast<double>(std::get<4>(s)) * static_cast<double>(calls) / 1e9;
}

void writeTable(const std::string &path, double wallSeconds)
{
    Table &t = table();
    std::lock_guard<std::mutex> lock(t.mutex);
    std::vector<std::pair<Shape, Totals>> rows(t.shapes.begin(), t.shapes.end());
    std::sort(rows.begin(), rows.end(),
              [](const auto &a, const auto &b) { return a.second.seconds > b.second.seconds; });
    double seconds = 0, work = 0;
    for (const auto &[shape, totals] : rows) {
        seconds += totals.seconds;
        work += gflop(shape, totals.calls);
    }
    std::ofstream out(path);
    out.precision(10);
    out << "# wall_s " << wallSeconds << " gemm_s " << seconds << " share "
        << (wallSeconds > 0 ? seconds / wallSeconds : 0.0) << " gflop " << work << " gflops "
        << (seconds > 0 ? work / seconds : 0.0) << '\n';
    out << "seconds\tcalls\tgflop\tgflops\ttransposes\tm\tn\tk\n";
    for (const auto &[shape, totals] : rows) {
        const double g = gflop(shape, totals.calls);
        out << totals.seconds << '\t' << totals.calls << '\t' << g << '\t'
            << (totals.seconds > 0 ? g / totals.seconds : 0.0) << '\t' << std::get<0>(shape)
            << std::get<1>(shape) << '\t' << std::get<2>(shape) << '\t' << std::get<3>(shape)
            << '\t' << std::get<4>(shape) << '\n';
    }
}

} // namespace

namespace gemmprofile {

bool enabled() { return profilePath() != nullptr; }

void record(char transposeA, char transposeB, int64_t m, int64_t n, int64_t k, double seconds)
{
    Table &t = table();
    std::lock_guard<std::mutex> lock(t.mutex);
    Totals &totals = t.shapes[Shape{transposeA, transposeB, m, n, k}];
    ++totals.calls;
    totals.seconds += seconds;
}

} // namespace gemmprofile

struct GemmProfile::Impl
{
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

GemmProfile::GemmProfile()
{
    if (!gemmprofile::enabled())
        return;
    {
        std::lock_guard<std::mutex> lock(table().mutex);
        table().shapes.clear();
    }
    m_impl = std::make_unique<Impl>();
}

GemmProfile::~GemmProfile()
{
    if (!m_impl)
        return;
    try {
        writeTable(profilePath(), std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                                                m_impl->start).count());
    } catch (...) {
        // A developer's profile is never worth failing a run for.
    }
}

} // namespace ft
