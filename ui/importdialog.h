// The import wizard's one page: the files, the detected format with its confidence and reason,
// a preview of the first rows as they will be normalised, a column mapping override and the
// dataset's name. The import itself runs on the Data page (ImportRunner).
#pragma once

#include <ft/dataimport.h>

#include <QDialog>
#include <QStringList>

class QComboBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QTableWidget;

namespace ftui {

class ImportDialog : public QDialog
{
    Q_OBJECT

public:
    explicit ImportDialog(const QStringList &files, QWidget *parent = nullptr);

    QStringList files() const { return m_files; }
    ft::ImportOptions options() const;
    QString detectionText() const;

private:
    void addFiles();
    void addPaths(const QStringList &paths); // files or document folders
    void refreshPreview();

    QStringList m_files;
    QListWidget *m_fileList = nullptr;
    QLineEdit *m_name = nullptr;
    QComboBox *m_format = nullptr;
    QLabel *m_detection = nullptr;
    QTableWidget *m_mapping = nullptr;
    QTableWidget *m_preview = nullptr;
    QStringList m_columns;
};

} // namespace ftui
