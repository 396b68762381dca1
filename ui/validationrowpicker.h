// The Compare page's "Validation row" picker: the open project's validation rows (every split
// dataset, at most kMaxRows, excluded rows left out) as prompts, each with its reference answer.
// Item 0 is a free prompt, or says why there are no rows (no project, no split, unreadable);
// the picker is disabled then.
#pragma once

#include <QComboBox>

namespace ftui {

class ValidationRowPicker : public QComboBox
{
    Q_OBJECT
public:
    static constexpr int kMaxRows = 1000;

    explicit ValidationRowPicker(QWidget *parent = nullptr);

    // Re-reads the rows from the project file (empty: no project open).
    void reload(const QString &projectPath);
    int rowCount() const;
    // The prompt (the row's user turns before its last answer) and that answer, for item `index`
    // (1-based: item 0 is the free prompt); empty for item 0.
    QString promptAt(int index) const;
    QString referenceAt(int index) const;
};

} // namespace ftui
