// finetune-studio: wires the application and the main window, then runs the event loop.
//   finetune-studio [MODEL]                  open MODEL (a folder or a .gguf file) at start
//   --screenshot FILE [--page NAME] [--try-prompt TEXT]
//                                            (hidden) save the window to FILE once loaded (and
//                                            TEXT answered in "Try the model"), then quit
//   --train-data FILE [--train-steps N]      (hidden, with --screenshot) first train N steps on
//                                            FILE twice on the Train page (two runs, overlaid)

#include "mainwindow.h"
#include "modelpage.h"
#include "screenshotter.h"
#include "trainpage.h"

#include <ft/runtime.h>

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QScreen>

#include <cstdio>
#include <exception>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("FineTuneStudio"));
    QApplication::setApplicationName(QStringLiteral("finetune-studio"));
    QApplication::setApplicationDisplayName(QStringLiteral("FineTune Studio"));
    QApplication::setApplicationVersion(QStringLiteral("0.1.0"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/finetune-studio.png")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Fine-tune language models on your own "
                                                    "workstation."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("model"),
                                 QStringLiteral("A model folder or .gguf file to open."),
                                 QStringLiteral("[model]"));
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
    parser.addOption(trainDataOption);
    parser.addOption(trainStepsOption);
    parser.addOption(screenshotOption);
    parser.addOption(pageOption);
    parser.addOption(tryOption);
    parser.process(app);

    try {
        ft::initRuntime();
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

    const QStringList models = parser.positionalArguments();
    if (!models.isEmpty())
        window.openModel(models.constFirst());
    if (parser.isSet(pageOption) && !window.showPageNamed(parser.value(pageOption)))
        std::fprintf(stderr, "finetune-studio: no page named %s\n",
                     qPrintable(parser.value(pageOption)));
    if (screenshotter) {
        screenshotter->setTryPrompt(parser.value(tryOption));
        if (parser.isSet(trainDataOption))
            screenshotter->setTrainingDemo(window.trainPage(), parser.value(trainDataOption),
                                           parser.value(trainStepsOption).toInt());
        screenshotter->start();
    }
    return app.exec();
}
