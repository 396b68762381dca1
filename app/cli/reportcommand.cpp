// report: the evaluation report of a project run as one self-contained HTML file
// (ft/evalreport.h); --json prints the run's evaluation matrix (ft/evalmatrix.h) too.
#include "commands.h"

#include "ft/error.h"
#include "ft/evalmatrix.h"
#include "ft/evalreport.h"
#include "ft/project.h"
#include "ft/runstore.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace ftcli {

namespace {

struct ReportArgs
{
    std::string project;
    std::string run;  // a run id or name; "" = the latest evaluations of any run
    std::string out;
    bool json = false;
};

std::optional<int64_t> findRunNamed(const ft::ProjectStore &store, const std::string &run)
{
    if (run.empty())
        return std::nullopt;
    const auto runs = ft::listRuns(store);
    for (const ft::RunRecord &r : runs)
        if (r.name == run)
            return r.id;
    if (run.find_first_not_of("0123456789") == std::string::npos && run.size() < 18)
        for (const ft::RunRecord &r : runs)
            if (r.id == std::stoll(run))
                return r.id;
    ft::throwBadInput(store.path().string() + ": no run named or numbered '" + run + "'");
}

} // namespace

void addReportCommand(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<ReportArgs>();
    CLI::App *cmd = app.add_subcommand("report", "The evaluation report of a run: one self-contained HTML file");
    cmd->add_option("--project", args->project, "The project file (P.ftproj)")->required();
    cmd->add_option("--run", args->run, "The run (name or id); default: the latest evaluations");
    cmd->add_option("--out", args->out, "Where to write the report (.html)");
    cmd->add_flag("--json", args->json, "Print the evaluation matrix as JSON");
    cmd->callback([&run, args] {
        run = [args] {
            if (args->out.empty() && !args->json)
                ft::throwBadInput("report: give --out report.html (or --json for the matrix)");
            if (!args->out.empty()) {
                const std::filesystem::path out(args->out);
                if (out.extension() != ".html" && out.extension() != ".htm")
                    ft::throwBadInput("report: " + args->out +
                                      ": the CLI writes HTML (.html); the Evaluate page also saves PDF");
            }
            if (!std::filesystem::is_regular_file(args->project))
                ft::throwBadInput(args->project + ": no such project file");
            ft::ProjectStore store(args->project, /*mustExist=*/true);
            const std::optional<int64_t> runId = findRunNamed(store, args->run);
            if (!args->out.empty())
                ft::writeEvaluationReport(store, runId, args->out);
            if (args->json) {
                nlohmann::json out = ft::matrixJson(ft::evaluationMatrix(store, runId));
                out["report"] = args->out.empty() ? nlohmann::json() : nlohmann::json(args->out);
                std::cout << out.dump(2) << '\n';
            } else {
                std::cout << "wrote " << args->out << '\n';
            }
        };
    });
}

} // namespace ftcli
