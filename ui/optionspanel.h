// The base of the Strategy page's option panels (one per strategy): a form whose fields are read
// from and written to the session's ft::TrainingConfig, and the field builders they share. Any
// edit emits edited(); the page writes the panels back to the settings then.
#pragma once

#include <ft/trainer.h>

#include <QStringList>
#include <QWidget>

#include <string>
#include <vector>

class QCheckBox;
class QDoubleSpinBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QSpinBox;

namespace ftui {

class OptionsPanel : public QWidget
{
    Q_OBJECT

public:
    explicit OptionsPanel(QWidget *parent = nullptr);

    // Shows `settings` in the fields (signals from the fields are the caller's to ignore).
    virtual void load(const ft::TrainingConfig &settings);
    // Writes the fields into `settings` (only this panel's options).
    virtual void store(ft::TrainingConfig &settings) const;
    // Adds an explanation under the fields (a strategy without options is only that).
    void addNote(const QString &text);

Q_SIGNALS:
    void edited();

protected:
    // The panel's form (created on first use).
    QFormLayout *form();
    QSpinBox *spin(int lo, int hi, const char *name);
    QDoubleSpinBox *doubleSpin(double lo, double hi, int decimals, double step, const char *name);
    QLineEdit *line(const char *name, const QString &placeholder);
    QCheckBox *check(const QString &text, const char *name);
    // A wrapped, secondary-coloured explanation.
    static QLabel *note(const QString &text);

private:
    QFormLayout *m_form = nullptr;
};

// A comma- or space-separated list field.
QStringList splitList(const QString &text);
std::vector<std::string> toStd(const QStringList &list);
QString joined(const std::vector<std::string> &list);
bool contains(const std::vector<std::string> &list, const std::string &value);

} // namespace ftui
