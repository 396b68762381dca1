// finetune-cli: the studio's engine without a window, for scripts and rented GPU boxes.
// Exit codes: 0 success, 2 bad input (one line on stderr naming the file and the problem),
// 1 internal error.
#include "commands.h"
#include "datacommands.h"
#include "datareviewcommand.h"

#include "ft/error.h"
#include "ft/runtime.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <string>

namespace {

// The command word: the first argument that is neither an option nor --threads' value.
std::string commandWord(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--threads")
            ++i;
        else if (a.empty() || a[0] != '-')
            return a;
    }
    return {};
}

} // namespace

int main(int argc, char **argv)
{
    // generate sleeps at once, as the studio does: its decoding steps use no OpenMP, and spinning
    // workers made the prompt pass several times slower on a loaded machine (docs/benchmarks.md).
    // The data commands run no tensor work (the review's token counts are short OpenMP regions,
    // as fast under libgomp's default waits) and keep the one start: each start of LibTorch's
    // libraries costs ~0.6 s, a tenth of a 100k-row import.
    const bool generating = std::any_of(argv + 1, argv + argc, [](const char *a) { return std::string(a) == "generate"; });
    if (commandWord(argc, argv) != "data")
        ft::restartWithRuntimeSettings(argv, generating ? ft::OpenMpWaits::Passive : ft::OpenMpWaits::ShortSpin);
    CLI::App app{"FineTune Studio command line: inspect, run and convert language models"};
    app.require_subcommand(1);
    app.set_version_flag("--version", FT_VERSION);
    int threads = 0;
    app.add_option("--threads", threads, "CPU threads for tensor work (default: physical cores)");
    ftcli::Runner run;
    ftcli::addModelCommands(app, run);
    CLI::App *data = ftcli::addDataCommands(app, run);
    ftcli::addDataReviewCommand(*data, run);
    ftcli::addMemoryCommand(app, run);
    ftcli::addStatsCommand(app, run);
    ftcli::addEvalCommand(app, run);
    ftcli::addDemoCommand(app, run);
    ftcli::addReportCommand(app, run);
    ftcli::addRecipeCommand(app, run);
    ftcli::addCompactBaseCommand(app, run);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp &e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion &e) {
        return app.exit(e);
    } catch (const CLI::ParseError &e) {
        std::cerr << "error: " << e.what() << " (see --help)\n";
        return 2;
    }
    try {
        ft::initRuntime(threads);
        run();
        return 0;
    } catch (const ft::Error &e) {
        std::cerr << "error: " << e.what() << '\n';
        return e.kind() == ft::ErrorKind::BadInput ? 2 : 1;
    } catch (const std::bad_alloc &) {
        std::cerr << "error: out of memory\n";
        return 1;
    } catch (const std::exception &e) {
        // One line: LibTorch's messages carry a C++ backtrace after the first.
        const std::string what = e.what();
        std::cerr << "internal error: " << what.substr(0, what.find('\n')) << '\n';
        return 1;
    }
}
