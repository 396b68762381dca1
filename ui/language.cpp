#include "language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QSettings>
#include <QTranslator>

namespace ftui::language {

namespace {

// The translators this module installed, so that a second apply() replaces them.
QList<QTranslator *> &installed()
{
    static QList<QTranslator *> translators;
    return translators;
}

void removeInstalled()
{
    for (QTranslator *t : std::as_const(installed())) {
        QCoreApplication::removeTranslator(t);
        delete t;
    }
    installed().clear();
}

bool load(const QString &file, const QString &folder)
{
    auto *translator = new QTranslator;
    if (!translator->load(file, folder)) {
        delete translator;
        return false;
    }
    QCoreApplication::installTranslator(translator);
    installed().append(translator);
    return true;
}

} // namespace

QStringList choices()
{
    return {QStringLiteral("system"), QStringLiteral("en"), QStringLiteral("zh_CN")};
}

QString storedChoice()
{
    const QString value = QSettings().value(QLatin1String(kSettingsKey)).toString();
    return choices().contains(value) ? value : QStringLiteral("system");
}

void storeChoice(const QString &choice)
{
    QSettings().setValue(QLatin1String(kSettingsKey),
                         choices().contains(choice) ? choice : QStringLiteral("system"));
}

QString resolve(const QString &choice, const QLocale &system)
{
    if (choice == QLatin1String("en") || choice == QLatin1String("zh_CN"))
        return choice;
    return system.language() == QLocale::Chinese ? QStringLiteral("zh_CN") : QStringLiteral("en");
}

QString apply(const QString &choice)
{
    removeInstalled();
    const QString language = resolve(choice);
    if (language == QLatin1String("zh_CN")) {
        QLocale::setDefault(QLocale(QLocale::Chinese, QLocale::China));
        load(QStringLiteral("finetune-studio_zh_CN"), QStringLiteral(":/i18n"));
        // Qt's own words (dialog buttons, the file dialog) where Debian's qt6-translations-l10n
        // put them; without them those stay English.
        load(QStringLiteral("qtbase_zh_CN"), QLibraryInfo::path(QLibraryInfo::TranslationsPath));
    } else {
        load(QStringLiteral("finetune-studio_en"), QStringLiteral(":/i18n")); // plural forms
        QLocale::setDefault(choice == QLatin1String("en") ? QLocale(QLocale::English, QLocale::UnitedStates)
                                                          : QLocale::system());
    }
    return language;
}

} // namespace ftui::language
