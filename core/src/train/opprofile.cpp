#include "train/opprofile.h"

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace ft {

namespace prof = torch::autograd::profiler;

namespace {

struct OpTotals
{
    int64_t calls = 0;
    double selfUs = 0, totalUs = 0;
};

std::string shapesText(const std::vector<std::vector<int64_t>> &shapes)
{
    std::string text;
    for (const auto &shape : shapes) {
        text += '[';
        for (size_t i = 0; i < shape.size(); ++i)
            text += (i ? "," : "") + std::to_string(shape[i]);
        text += ']';
    }
    return text;
}

// Pairs each thread's push/pop events into (op, shapes) totals; self time excludes nested ops.
void writeTable(const prof::thread_event_lists &threads, const std::string &path)
{
    std::map<std::string, OpTotals> totals;
    for (const auto &events : threads) {
        struct Open { const prof::LegacyEvent *push; double childUs; };
        std::vector<Open> stack;
        for (const auto &e : events) {
            if (e.kind() == prof::EventKind::PushRange) {
                stack.push_back({&e, 0.0});
            } else if (e.kind() == prof::EventKind::PopRange && !stack.empty()) {
                const Open open = stack.back();
                stack.pop_back();
                const double us = open.push->cpuElapsedUs(e);
                OpTotals &t = totals[std::string(open.push->name()) + "\t" +
                                     shapesText(open.push->shapes())];
                ++t.calls;
                t.totalUs += us;
                t.selfUs += us - open.childUs;
                if (!stack.empty())
                    stack.back().childUs += us;
            }
        }
    }
    std::vector<std::pair<std::string, OpTotals>> rows(totals.begin(), totals.end());
    std::sort(rows.begin(), rows.end(),
              [](const auto &a, const auto &b) { return a.second.selfUs > b.second.selfUs; });
    std::ofstream out(path);
    out << "self_ms\ttotal_ms\tcalls\top\tshapes\n";
    for (const auto &[key, t] : rows)
        out << t.selfUs / 1000 << '\t' << t.totalUs / 1000 << '\t' << t.calls << '\t' << key << '\n';
}

} // namespace

struct OpProfile::Impl
{
    std::string path;
};

OpProfile::OpProfile()
{
    const char *path = std::getenv("FT_PROFILE_OPS");
    if (!path || !*path)
        return;
    m_impl = std::make_unique<Impl>(Impl{path});
    prof::enableProfilerLegacy(
        torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU, true));
}

OpProfile::~OpProfile()
{
    if (!m_impl)
        return;
    try {
        writeTable(prof::disableProfilerLegacy(), m_impl->path);
    } catch (...) {
        // A developer's profile is never worth failing a run for.
    }
}

} // namespace ft
