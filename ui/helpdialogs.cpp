#include "helpdialogs.h"

#include <QAbstractButton>
#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QHeaderView>
#include <QRegularExpression>
#include <QSet>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace ftui {
namespace {

QString withoutMnemonic(QString text)
{
    // Chinese menus put the mnemonic after the text: "使用指南(&U)".
    text.remove(QRegularExpression(QStringLiteral("\\(&[^&]\\)")));
    text.remove(QRegularExpression(QStringLiteral("&(?=[^&])")));
    text.replace(QStringLiteral("&&"), QStringLiteral("&"));
    text.remove(QChar(0x2026));  // "…"
    return text.trimmed();
}

QDialog *dialog(QWidget *parent, const QString &title, QWidget *body, const QSize &size)
{
    auto *d = new QDialog(parent);
    d->setAttribute(Qt::WA_DeleteOnClose);
    d->setWindowTitle(title);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QObject::connect(buttons, &QDialogButtonBox::rejected, d, &QDialog::reject);
    auto *layout = new QVBoxLayout(d);
    layout->addWidget(body, 1);
    layout->addWidget(buttons);
    d->resize(size);
    return d;
}

} // namespace

QString userGuideMarkdown(const QLocale &locale)
{
    const bool chinese = locale.language() == QLocale::Chinese;
    QFile file(chinese ? QStringLiteral(":/guide/user-guide.zh_CN.md") : QStringLiteral(":/guide/user-guide.md"));
    if (!file.open(QIODevice::ReadOnly))
        return QString();
    return QString::fromUtf8(file.readAll());
}

QList<QPair<QString, QString>> keyboardShortcuts(const QWidget *window)
{
    QList<QPair<QString, QString>> rows;
    QSet<QString> seen;
    auto add = [&](const QString &what, const QKeySequence &keys) {
        const QString name = withoutMnemonic(what);
        const QString key = keys.toString(QKeySequence::NativeText);
        if (name.isEmpty() || key.isEmpty() || seen.contains(name + key))
            return;
        seen.insert(name + key);
        rows.append({name, key});
    };
    for (const QAction *action : window->findChildren<QAction *>())
        for (const QKeySequence &keys : action->shortcuts())
            add(action->text(), keys);
    for (const QAbstractButton *button : window->findChildren<QAbstractButton *>())
        add(button->text(), button->shortcut());
    std::sort(rows.begin(), rows.end(), [](const auto &a, const auto &b) {
        return QString::localeAwareCompare(a.first, b.first) < 0;
    });
    return rows;
}

void showUserGuide(QWidget *parent)
{
    auto *browser = new QTextBrowser;
    browser->setObjectName(QStringLiteral("userGuide"));
    browser->setOpenExternalLinks(true);
    browser->setMarkdown(userGuideMarkdown());
    dialog(parent, QObject::tr("FineTune Studio User Guide"), browser, QSize(760, 620))->show();
}

void showKeyboardShortcuts(QWidget *window)
{
    const auto rows = keyboardShortcuts(window);
    auto *table = new QTableWidget(int(rows.size()), 2);
    table->setObjectName(QStringLiteral("shortcutTable"));
    table->setHorizontalHeaderLabels({QObject::tr("Action"), QObject::tr("Keys")});
    table->verticalHeader()->hide();
    table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table->setSelectionMode(QAbstractItemView::NoSelection);
    for (int i = 0; i < rows.size(); ++i) {
        table->setItem(i, 0, new QTableWidgetItem(rows[i].first));
        table->setItem(i, 1, new QTableWidgetItem(rows[i].second));
    }
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    table->horizontalHeader()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    dialog(window, QObject::tr("Keyboard Shortcuts"), table, QSize(520, 560))->show();
}

} // namespace ftui
