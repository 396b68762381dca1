#include "validationrowpicker.h"

#include <ft/project.h>

#include <QFile>
#include <QStringList>

#include <optional>

namespace ftui {
namespace {

constexpr int kReferenceRole = Qt::UserRole + 1;

// A validation row as a prompt: its user turn(s) before the last assistant turn (the turns the
// model answers in training), and that assistant turn as the reference. Nullopt for rows with
// nothing to answer (raw text, no user or assistant turn).
struct RowPrompt
{
    QString prompt;
    QString reference;
};

std::optional<RowPrompt> rowPrompt(const ft::ProjectRow &row)
{
    if (row.kind == ft::RowKind::Text)
        return std::nullopt;
    const std::vector<ft::ChatMessage> &messages = row.effectiveMessages();
    size_t answer = messages.size();
    for (size_t i = 0; i < messages.size(); ++i)
        if (messages[i].role == "assistant")
            answer = i;
    if (answer == messages.size())
        return std::nullopt;
    QStringList users;
    for (size_t i = 0; i < answer; ++i)
        if (messages[i].role == "user")
            users << QString::fromStdString(messages[i].content);
    if (users.isEmpty())
        return std::nullopt;
    return RowPrompt{users.join(QStringLiteral("\n\n")),
                     QString::fromStdString(messages[answer].content)};
}

} // namespace

ValidationRowPicker::ValidationRowPicker(QWidget *parent) : QComboBox(parent)
{
    setObjectName(QStringLiteral("validationRows"));
    setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    setMinimumContentsLength(40);
    setToolTip(tr("A row of the project's validation split as the prompt; its answer is shown as "
                  "the reference"));
}

void ValidationRowPicker::reload(const QString &projectPath)
{
    clear();
    QString why;
    if (projectPath.isEmpty()) {
        why = tr("Open a project to pick rows of its validation split");
    } else {
        try {
            ft::ProjectStore store(QFile::encodeName(projectPath).toStdString(), true);
            for (const ft::DatasetInfo &dataset : store.datasets()) {
                if (!store.hasSplits(dataset.id))
                    continue;
                const QString name = QString::fromStdString(dataset.name);
                // Stops at the cap: a million-row dataset is not read through on the GUI thread.
                store.forEachRow(dataset.id, [&](const ft::ProjectRow &row) {
                    if (row.split != "validation" || row.status == ft::RowStatus::Excluded)
                        return true;
                    if (const auto p = rowPrompt(row)) {
                        const QString first = p->prompt.section(QLatin1Char('\n'), 0, 0);
                        addItem(tr("%1 #%2 · %3").arg(name).arg(row.index).arg(first.left(90)),
                                p->prompt);
                        const int item = count() - 1;
                        setItemData(item, p->reference, kReferenceRole);
                        setItemData(item, p->prompt, Qt::ToolTipRole);
                    }
                    return count() < kMaxRows;
                });
                if (count() >= kMaxRows)
                    break;
            }
            if (count() == 0)
                why = tr("No validation rows in this project: split a dataset on the Data page");
        } catch (const std::exception &e) {
            clear();
            why = tr("Cannot read the project's validation rows: %1")
                      .arg(QString::fromStdString(e.what()));
        }
    }
    const int rows = count();
    insertItem(0, rows > 0 ? tr("A free prompt, or one of %n validation rows…", nullptr, rows) : why);
    setCurrentIndex(0);
    setEnabled(rows > 0);
}

int ValidationRowPicker::rowCount() const
{
    return isEnabled() ? count() - 1 : 0;
}

QString ValidationRowPicker::promptAt(int index) const
{
    return index > 0 ? itemData(index).toString() : QString();
}

QString ValidationRowPicker::referenceAt(int index) const
{
    return index > 0 ? itemData(index, kReferenceRole).toString() : QString();
}

} // namespace ftui
