// What a loaded model is: headline figures, warnings and cards of ft::ModelInfo fields and
// tokenizer facts. Value labels carry object names (architecture, layers, vocabulary, ...) for
// tests and later pages.
#pragma once

#include <QHash>
#include <QWidget>

class QLabel;
class QFrame;

namespace ft {
class Model;
}

namespace ftui {

class ModelSummaryView : public QWidget
{
    Q_OBJECT

public:
    explicit ModelSummaryView(QWidget *parent = nullptr);

    void setModel(const ft::Model &model);
    // The text shown for a field (its value label's object name); empty if unknown.
    QString fieldText(const QString &name) const;
    QStringList warnings() const { return m_warnings; }

private:
    QWidget *createStatTile(const QString &caption, const QString &valueName);
    QFrame *createWarningBox();
    QLabel *field(const QString &name) const { return m_fields.value(name); }
    void setField(const QString &name, const QString &text, const QString &toolTip = {});

    QHash<QString, QLabel *> m_fields;
    QFrame *m_warningBox = nullptr;
    QLabel *m_warningText = nullptr;
    QStringList m_warnings;
};

} // namespace ftui
