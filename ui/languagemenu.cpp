#include "languagemenu.h"

#include "language.h"

#include <QActionGroup>
#include <QMessageBox>

namespace ftui {

LanguageMenu::LanguageMenu(QWidget *parent) : QMenu(tr("&Language"), parent)
{
    setObjectName(QStringLiteral("languageMenu"));
    m_group = new QActionGroup(this);
    m_group->setExclusive(true);
    const QString stored = language::storedChoice();
    // Each language is named in its own words, so that it can be found in either.
    const QList<QPair<QString, QString>> items = {
        {QStringLiteral("system"), tr("System Language")},
        {QStringLiteral("en"), QStringLiteral("English")},
        {QStringLiteral("zh_CN"), QStringLiteral("中文（简体）")},
    };
    for (const auto &[id, label] : items) {
        QAction *action = addAction(label);
        action->setObjectName(QStringLiteral("language_") + id);
        action->setData(id);
        action->setCheckable(true);
        action->setChecked(id == stored);
        m_group->addAction(action);
        // A copy: lambdas may not capture structured bindings before C++20 (clang refuses).
        const QString language = id;
        connect(action, &QAction::triggered, this, [this, language] { choose(language); });
    }
}

void LanguageMenu::choose(const QString &choice)
{
    const QString before = language::resolve(language::storedChoice());
    language::storeChoice(choice);
    for (QAction *action : m_group->actions())
        action->setChecked(action->data().toString() == choice);
    if (language::resolve(choice) == before)
        return;
    const auto answer = QMessageBox::question(
        parentWidget(), tr("Change the language"),
        tr("The new language is used when FineTune Studio starts again. Restart now? "
           "Your project is saved as you work."),
        QMessageBox::Yes | QMessageBox::No, QMessageBox::Yes);
    if (answer == QMessageBox::Yes)
        emit restartRequested();
}

} // namespace ftui
