#include "roweditdialog.h"

#include "theme.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QScrollArea>
#include <QVBoxLayout>

namespace ftui {

std::optional<std::vector<ft::ChatMessage>> editRowMessages(QWidget *parent, const ft::ProjectRow &row)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Edit Row %1").arg(row.index));
    dialog.resize(720, 560);
    auto *inner = new QWidget;
    auto *form = new QFormLayout(inner);
    std::vector<QPlainTextEdit *> edits;
    for (const auto &m : row.effectiveMessages()) {
        auto *edit = new QPlainTextEdit(QString::fromStdString(m.content));
        edit->setMinimumHeight(120);
        form->addRow(QString::fromStdString(m.role) + QLatin1Char(':'), edit);
        edits.push_back(edit);
    }
    auto *scroll = new QScrollArea;
    scroll->setWidgetResizable(true);
    scroll->setWidget(inner);
    auto *note = new QLabel(QObject::tr("The original stays in the project; Undo (Ctrl+Z) or "
                                        "Revert brings it back."));
    theme::makeSecondary(note);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(scroll, 1);
    layout->addWidget(note);
    layout->addWidget(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    std::vector<ft::ChatMessage> messages = row.effectiveMessages();
    for (size_t i = 0; i < messages.size(); ++i)
        messages[i].content = edits[i]->toPlainText().toStdString();
    return messages;
}

} // namespace ftui
