// finetune-studio: wires the application and the main window, then runs the event loop.
//   finetune-studio [MODEL]                  open MODEL (a folder or a .gguf file) at start
//   --project FILE                           open the project FILE (*.ftproj) at start
//   --demo                                   open the demo project (created the first time)
//   --screenshot FILE [--page NAME] [--try-prompt TEXT] [--select-row N]
//                                            (hidden) save the window to FILE once loaded (and
//                                            TEXT answered in "Try the model", row N of
//                                            the Data page selected), then quit
//   --train-data FILE [--train-steps N]      (hidden, with --screenshot) first train N steps on
//                                            FILE twice on the Train page (two runs, overlaid)
//   --page strategy [--dataset-rows N]       (with --screenshot) LoRA on the layer map
//   --page compare --train-data FILE         (with --screenshot) train one run, compare base and
//                                            tuned blind on --try-prompt, vote into a scratch project
//   env FT_STUDIO_PALETTE=dark               Fusion with a dark palette (theme::darkPalette)
//   env FT_STUDIO_LANGUAGE=system|en|zh_CN   the language for this run (else View > Language's)

#include "datapage.h"
#include "demoprojectaction.h"
#include "language.h"
#include "mainwindow.h"
#include "projectactions.h"
#include "modelpage.h"
#include "comparepage.h"
#include "screenshotter.h"
#include "strategypage.h"
#include "studiosettings.h"
#include "theme.h"
#include "trainpage.h"

#include <ft/runtime.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QIcon>
#include <QScreen>

#include <cstdio>
#include <exception>


int main(int argc, char *argv[])
{
    ft::restartWithRuntimeSettings(argv, ft::OpenMpWaits::Passive);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FineTuneStudio"));
    QApplication::setApplicationName(QStringLiteral("finetune-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("FineTune Studio"));
    QApplication::setApplicationVersion(QStringLiteral(FT_VERSION));
    // Wayland and the desktop match the window to its desktop entry (installer/linux).
    QGuiApplication::setDesktopFileName(QStringLiteral("org.finetunestudio.FineTuneStudio"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/finetune-studio.png")));
    // FT_STUDIO_PALETTE=dark: Fusion with the dark palette, the look on a dark desktop where no
    // desktop theme provides one (Xvfb screenshots, checks of both palettes).
    // (else the theme chosen in Settings).
    if (qEnvironmentVariable("FT_STUDIO_PALETTE") == QLatin1String("dark"))
        ftui::settings::applyTheme(app, ftui::settings::Theme::Dark);
    else
        ftui::settings::applyTheme(app, ftui::settings::theme());

    // The translators before anything builds a word: the parser's help and the window.
    ftui::language::apply(qEnvironmentVariable("FT_STUDIO_LANGUAGE", ftui::language::storedChoice()));

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "Fine-tune language models on your own workstation."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("file"),
                                 QCoreApplication::translate(
                                     "main", "A model folder or .gguf file, or a project "
                                             "(*.ftproj), to open."),
                                 QStringLiteral("[file]"));
    QCommandLineOption screenshotOption(QStringLiteral("screenshot"),
                                        QStringLiteral("Save the window to <file> and quit."),
                                        QStringLiteral("file"));
    screenshotOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption pageOption(QStringLiteral("page"), QStringLiteral("Page to show."),
                                  QStringLiteral("name"));
    pageOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption tryOption(QStringLiteral("try-prompt"),
                                 QStringLiteral("With --screenshot: ask the model <text> first."),
                                 QStringLiteral("text"));
    tryOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption trainDataOption(QStringLiteral("train-data"),
                                       QStringLiteral("With --screenshot: train on <file> first."),
                                       QStringLiteral("file"));
    trainDataOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption trainStepsOption(QStringLiteral("train-steps"),
                                        QStringLiteral("With --train-data: steps per run."),
                                        QStringLiteral("n"), QStringLiteral("60"));
    trainStepsOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption rowsOption(QStringLiteral("dataset-rows"),
                                  QStringLiteral("With --page strategy: the advisor's rows."),
                                  QStringLiteral("n"), QStringLiteral("5000"));
    rowsOption.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOption(rowsOption);
    parser.addOption(trainDataOption);
    parser.addOption(trainStepsOption);
    QCommandLineOption projectOption(QStringLiteral("project"),
                                     QCoreApplication::translate(
                                         "main", "Open the project <file> (*.ftproj)."),
                                     QStringLiteral("file"));
    QCommandLineOption rowOption(QStringLiteral("select-row"),
                                 QStringLiteral("With --screenshot: select this Data row."),
                                 QStringLiteral("n"));
    rowOption.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption demoOption(QStringLiteral("demo"),
                                  QCoreApplication::translate("main", "Open the demo project (created the first time)."));
    parser.addOption(projectOption);
    parser.addOption(demoOption);
    parser.addOption(rowOption);
    parser.addOption(screenshotOption);
    parser.addOption(pageOption);
    parser.addOption(tryOption);
    parser.process(app);

    try {
        ft::initRuntime(ftui::settings::threads());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "finetune-studio: cannot start the engine: %s\n", e.what());
        return 1;
    }

    ftui::MainWindow window;
    ftui::Screenshotter *screenshotter = nullptr;
    if (parser.isSet(screenshotOption)) {
        screenshotter = new ftui::Screenshotter(&window, window.modelPage(),
                                                parser.value(screenshotOption), &app);
        QObject::connect(screenshotter, &ftui::Screenshotter::finished, &app,
                         [](bool ok) { QApplication::exit(ok ? 0 : 1); });
        if (QScreen *screen = QApplication::primaryScreen())
            window.setGeometry(screen->geometry());
    }
    window.show();
    // A .ftproj given as the file (a double-click in the file manager) is a project.
    QStringList files = parser.positionalArguments();
    QString project = parser.value(projectOption);
    if (project.isEmpty() && !files.isEmpty() &&
        files.constFirst().endsWith(QLatin1String(".ftproj"), Qt::CaseInsensitive))
        project = files.takeFirst();
    if (!project.isEmpty() &&
        !ftui::openProject(&window, window.session(), project, false, screenshotter != nullptr))
        std::fprintf(stderr, "finetune-studio: cannot open the project %s\n", qPrintable(project));
    if (parser.isSet(demoOption))
        ftui::openDemoProject(&window, window.session());
    if (!files.isEmpty())
        window.openModel(files.constFirst());
    if (parser.isSet(pageOption) && !window.showPageNamed(parser.value(pageOption)))
        std::fprintf(stderr, "finetune-studio: no page named %s\n",
                     qPrintable(parser.value(pageOption)));
    if (screenshotter) {
        screenshotter->setTryPrompt(parser.value(tryOption));
        const QString page = parser.value(pageOption);
        if (page == QLatin1String("strategy"))
            screenshotter->setStrategyDemo(window.strategyPage(), parser.value(rowsOption).toLongLong());
        if (page == QLatin1String("compare")) {
            screenshotter->setTryPrompt(QString());
            screenshotter->setCompareDemo(
                window.comparePage(), parser.value(tryOption),
                QDir::temp().filePath(QStringLiteral("ftstudio-screenshot-%1.ftproj")
                                          .arg(QApplication::applicationPid())));
        }
        if (parser.isSet(trainDataOption))
            screenshotter->setTrainingDemo(window.trainPage(), parser.value(trainDataOption),
                                           parser.value(trainStepsOption).toInt());
        if (parser.isSet(rowOption))
            screenshotter->setDataRow(window.dataPage(), parser.value(rowOption).toInt());
        screenshotter->start();
    }
    return app.exec();
}
