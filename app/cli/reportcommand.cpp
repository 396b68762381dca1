// report: the evaluation report of one or several project runs as one self-contained HTML file
// (ft/evalreport.h); --json prints the run's evaluation matrix (ft/evalmatrix.h) too.
#include "commands.h"

#include "ft/error.h"
#include "ft/evalmatrix.h"
#include "ft/evalreport.h"
#include "ft/project.h"
#include "ft/runstore.h"

#include <nlohmann/json.hpp>

#ifdef FT_HAVE_PDF_REPORT
#include "reportpdf.h"

#include <QFile>
#include <QGuiApplication>
#include <QString>
#endif

#include <cctype>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ftcli {

namespace {

struct ReportArgs
{
    std::string project;
    std::vector<std::string> runs;  // run ids or names, side by side; none = the latest evaluations
    std::string out;
    bool json = false;
};

int64_t findRunNamed(const ft::ProjectStore &store, const std::string &run)
{
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

bool isPdf(const std::filesystem::path &out)
{
    std::string ext = out.extension().string();
    for (char &c : ext)
        c = char(std::tolower(static_cast<unsigned char>(c)));
    return ext == ".pdf";
}

// The PDF through Qt's PDF writer with the charts (report/reportpdf.h); headless: an offscreen
// QGuiApplication for the fonts. Returns the page and chart counts.
nlohmann::json writePdf(const ft::ProjectStore &store, const std::vector<int64_t> &runIds, const std::string &out)
{
#ifdef FT_HAVE_PDF_REPORT
    const std::unique_ptr<QGuiApplication> app = ftreport::ensureGuiApplication();
    const ftreport::PdfReport pdf =
        ftreport::writeReportPdf(QString::fromStdString(ft::evaluationReportHtml(store, runIds)),
                                 QFile::decodeName(out.c_str()), QStringLiteral("Evaluation report"));
    return {{"pages", pdf.pages}, {"charts", pdf.charts}};
#else
    (void)store, (void)runIds;
    ft::throwBadInput("report: " + out + ": this finetune-cli was built without Qt and writes HTML only");
#endif
}

} // namespace

void addReportCommand(CLI::App &app, Runner &run)
{
    auto args = std::make_shared<ReportArgs>();
    CLI::App *cmd = app.add_subcommand("report", "The evaluation report of runs: one self-contained HTML file or a PDF");
    cmd->add_option("--project", args->project, "The project file (P.ftproj)")->required();
    cmd->add_option("--run", args->runs,
                    "The run (name or id); repeat it for several runs side by side; default: the latest evaluations");
    cmd->add_option("--out", args->out, "Where to write the report (.html or .pdf)");
    cmd->add_flag("--json", args->json, "Print the evaluation matrix as JSON");
    cmd->callback([&run, args] {
        run = [args] {
            if (args->out.empty() && !args->json)
                ft::throwBadInput("report: give --out report.html (or --json for the matrix)");
            if (!args->out.empty()) {
                const std::filesystem::path out(args->out);
                if (out.extension() != ".html" && out.extension() != ".htm" && !isPdf(out))
                    ft::throwBadInput("report: " + args->out + ": write .html or .pdf");
            }
            if (!std::filesystem::is_regular_file(args->project))
                ft::throwBadInput(args->project + ": no such project file");
            ft::ProjectStore store(args->project, /*mustExist=*/true);
            std::vector<int64_t> runIds;
            for (const std::string &name : args->runs)
                runIds.push_back(findRunNamed(store, name));
            nlohmann::json pdf;
            if (!args->out.empty() && isPdf(args->out))
                pdf = writePdf(store, runIds, args->out);
            else if (!args->out.empty())
                ft::writeEvaluationReport(store, runIds, args->out);
            if (args->json) {
                nlohmann::json out = ft::matrixJson(ft::evaluationMatrix(store, runIds));
                out["report"] = args->out.empty() ? nlohmann::json() : nlohmann::json(args->out);
                if (!pdf.is_null())
                    out["pdf"] = pdf;
                std::cout << out.dump(2) << '\n';
            } else {
                std::cout << "wrote " << args->out << '\n';
            }
        };
    });
}

} // namespace ftcli
