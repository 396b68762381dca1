// One project row: its conversation (and the original when edited), its findings, and the
// conversation rendered through a chat template with the loss-bearing (assistant) text
// highlighted, using ft::renderChatTemplateWithMask: the open model's own template when it has
// one, else a built-in (chatml, alpaca, ...). With the model's tokenizer, the token counts.
#pragma once

#include <ft/project.h>

#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QTextBrowser;

namespace ftui {

class StudioSession;

class RowView : public QWidget
{
    Q_OBJECT

public:
    explicit RowView(StudioSession *session, QWidget *parent = nullptr);

    // nullopt clears the view.
    void setRow(const std::optional<ft::ProjectRow> &row, const std::vector<ft::Finding> &findings = {});
    // "model", or a built-in name.
    void setTemplateName(const QString &name);
    QString templateName() const;

    // What the view shows, for tests.
    QString renderedText() const;
    int highlightedRanges() const { return m_highlighted; }
    QString tokenSummary() const;

private:
    void refreshTemplates();
    void render();

    StudioSession *m_session = nullptr;
    std::optional<ft::ProjectRow> m_row;
    std::vector<ft::Finding> m_findings;
    QLabel *m_title = nullptr;
    QTextBrowser *m_conversation = nullptr;
    QComboBox *m_template = nullptr;
    QLabel *m_tokens = nullptr;
    QTextBrowser *m_rendered = nullptr;
    int m_highlighted = 0;
};

} // namespace ftui
