#pragma once
// The window's language: English (the source texts) or Simplified Chinese (the zh_CN
// translation compiled into the program as :/i18n/finetune-studio_zh_CN.qm).
// The choice is stored in QSettings ("language": "system", "en" or "zh_CN") and applied at
// start, before the window is built; "system" follows QLocale::system() (zh_* -> Chinese).

#include <QLocale>
#include <QString>
#include <QStringList>

class QCoreApplication;

namespace ftui::language {

inline constexpr const char *kSettingsKey = "language";

QStringList choices();                        // "system", "en", "zh_CN"
QString storedChoice();                       // from QSettings, "system" when unset or unknown
void storeChoice(const QString &choice);
// The language a choice means here: "zh_CN" or "en".
QString resolve(const QString &choice, const QLocale &system = QLocale::system());
// Installs the translators for `choice` (the studio's, and Qt's own where installed) and sets
// the default QLocale used for numbers and dates; returns the resolved language.
// Replaces the translators an earlier call installed.
QString apply(const QString &choice);

} // namespace ftui::language
