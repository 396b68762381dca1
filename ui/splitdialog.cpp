#include "splitdialog.h"

#include "theme.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QSpinBox>

namespace ftui {

std::optional<ft::SplitOptions> askSplitOptions(QWidget *parent, const QString &datasetName)
{
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Split %1").arg(datasetName));
    auto *validation = new QDoubleSpinBox;
    validation->setRange(0, 0.9);
    validation->setSingleStep(0.05);
    validation->setValue(0.1);
    auto *test = new QDoubleSpinBox;
    test->setRange(0, 0.9);
    test->setSingleStep(0.05);
    auto *seed = new QSpinBox;
    seed->setRange(0, 1 << 30);
    seed->setValue(42);
    auto *form = new QFormLayout(&dialog);
    form->addRow(QObject::tr("Validation fraction:"), validation);
    form->addRow(QObject::tr("Test fraction:"), test);
    form->addRow(QObject::tr("Seed:"), seed);
    auto *note = new QLabel(QObject::tr("The same seed gives the same split everywhere (CLI included)."));
    theme::makeSecondary(note);
    form->addRow(note);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() != QDialog::Accepted)
        return std::nullopt;
    return ft::SplitOptions{validation->value(), test->value(), uint64_t(seed->value()), false};
}

} // namespace ftui
