#include "rowview.h"
#include "enumtext.h"

#include "findingtext.h"

#include "studiosession.h"
#include "theme.h"

#include <ft/chattemplate.h>
#include <ft/model.h>
#include <ft/tokenizer.h>

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSplitter>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace ftui {

namespace {

const char kModelTemplate[] = "model";

QString esc(const std::string &text)
{
    return QString::fromStdString(text).toHtmlEscaped();
}

const ft::Tokenizer *sessionTokenizer(const StudioSession *session)
{
    const auto model = session->model();
    return model ? model->tokenizer() : nullptr;
}

QString messagesHtml(const std::string &system, const std::vector<ft::ChatMessage> &messages)
{
    QString html;
    auto turn = [&](const std::string &role, const std::string &content) {
        html += QStringLiteral("<p style='margin:6px 0 2px 0'><b>%1</b></p>"
                               "<div style='white-space:pre-wrap'>%2</div>")
                    .arg(esc(role), esc(content));
    };
    if (!system.empty())
        turn("system", system);
    for (const auto &m : messages)
        turn(m.role, m.content);
    return html;
}

} // namespace

RowView::RowView(StudioSession *session, QWidget *parent) : QWidget(parent), m_session(session)
{
    setObjectName(QStringLiteral("rowView"));
    m_title = new QLabel(tr("Select a row"));
    theme::makeHeading(m_title, 1.1);
    m_conversation = new QTextBrowser;
    m_conversation->setObjectName(QStringLiteral("rowConversation"));
    m_conversation->setOpenLinks(false);

    m_template = new QComboBox;
    m_template->setObjectName(QStringLiteral("templateSelector"));
    m_template->setToolTip(tr("The chat template the row is rendered with"));
    m_template->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_template, &QComboBox::currentIndexChanged, this, &RowView::render);
    m_tokens = new QLabel;
    m_tokens->setObjectName(QStringLiteral("tokenSummary"));
    theme::makeSecondary(m_tokens);
    // Wrapped: on one line its minimum width ("246 characters, 150 trained · open a model for
    // token counts") pushed the Data page past a 1024-pixel window once a row was selected.
    m_tokens->setWordWrap(true);
    auto *templateBar = new QHBoxLayout;
    auto *templateLabel = new QLabel(tr("Rendered with"));
    templateBar->addWidget(templateLabel);
    templateBar->addWidget(m_template);
    templateBar->addStretch(1);
    templateBar->addWidget(m_tokens);
    m_rendered = new QTextBrowser;
    m_rendered->setObjectName(QStringLiteral("renderedTemplate"));
    m_rendered->setToolTip(tr("Highlighted: the assistant's text, the tokens the loss is "
                              "computed on"));

    auto *renderedBox = new QWidget;
    auto *renderedLayout = new QVBoxLayout(renderedBox);
    renderedLayout->setContentsMargins(0, 0, 0, 0);
    renderedLayout->addLayout(templateBar);
    renderedLayout->addWidget(m_rendered, 1);

    auto *splitter = new QSplitter(Qt::Vertical);
    splitter->addWidget(m_conversation);
    splitter->addWidget(renderedBox);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(splitter, 1);

    connect(m_session, &StudioSession::modelChanged, this, &RowView::refreshTemplates);
    refreshTemplates();
}

void RowView::refreshTemplates()
{
    const QString previous = templateName();
    QSignalBlocker block(m_template);
    m_template->clear();
    const ft::Tokenizer *tokenizer = sessionTokenizer(m_session);
    if (tokenizer && !tokenizer->chatTemplate().empty())
        m_template->addItem(tr("model's own"), QString::fromLatin1(kModelTemplate));
    for (const auto &name : ft::builtinChatTemplateNames())
        m_template->addItem(QString::fromStdString(name), QString::fromStdString(name));
    // A model with its own template: render with it (that is what training will use).
    const bool modelTemplate = tokenizer && !tokenizer->chatTemplate().empty();
    int index = modelTemplate ? m_template->findData(QString::fromLatin1(kModelTemplate))
                              : m_template->findData(previous);
    if (index < 0)
        index = m_template->findData(QStringLiteral("chatml"));
    m_template->setCurrentIndex(std::max(index, 0));
    render();
}

void RowView::setTemplateName(const QString &name)
{
    const int index = m_template->findData(name);
    if (index >= 0)
        m_template->setCurrentIndex(index);
}

QString RowView::templateName() const
{
    return m_template->currentData().toString();
}

void RowView::setRow(const std::optional<ft::ProjectRow> &row, const std::vector<ft::Finding> &findings)
{
    m_row = row;
    m_findings = findings;
    if (!m_row) {
        m_title->setText(tr("Select a row"));
        m_conversation->clear();
        m_rendered->clear();
        m_tokens->clear();
        m_highlighted = 0;
        return;
    }
    m_title->setText(tr("Row %1 · %2 · %3")
                         .arg(m_row->index)
                         .arg(rowKindText(m_row->kind), rowStatusText(m_row->status)));
    QString html = messagesHtml(m_row->system, m_row->effectiveMessages());
    if (m_row->edited)
        html += QStringLiteral("<hr><p><i>%1</i></p>").arg(tr("Edited. The original as imported:")) +
                messagesHtml(m_row->system, m_row->messages);
    if (!m_findings.empty()) {
        html += QStringLiteral("<hr><p><b>%1</b></p><ul>").arg(tr("Findings"));
        for (const auto &f : m_findings) {
            // The review stores its sentence for a person as "message".
            const std::string text = f.detail.contains("message") && f.detail["message"].is_string()
                                         ? f.detail["message"].get<std::string>()
                                         : (f.detail.empty() ? std::string() : f.detail.dump());
            html += QStringLiteral("<li><b>%1</b> (%2): %3</li>")
                        .arg(findingName(QString::fromStdString(f.kind)).toHtmlEscaped(),
                             esc(f.severity), esc(text));
        }
        html += QStringLiteral("</ul>");
    }
    m_conversation->setHtml(html);
    render();
}

void RowView::render()
{
    m_highlighted = 0;
    if (!m_row) {
        m_rendered->clear();
        m_tokens->clear();
        return;
    }
    const ft::Tokenizer *tokenizer = sessionTokenizer(m_session);
    const std::string name = templateName().toStdString();
    nlohmann::ordered_json messages = nlohmann::ordered_json::array();
    if (!m_row->system.empty())
        messages.push_back({{"role", "system"}, {"content", m_row->system}});
    for (const auto &m : m_row->effectiveMessages())
        messages.push_back({{"role", m.role}, {"content", m.content}});
    try {
        std::string templ;
        ft::ChatTemplateOptions options;
        if (name == kModelTemplate && tokenizer) {
            templ = tokenizer->chatTemplate();
            options = ft::chatTemplateOptionsFor(*tokenizer);
        } else {
            templ = ft::builtinChatTemplate(name).value_or(std::string());
            if (tokenizer)
                options = ft::chatTemplateOptionsFor(*tokenizer);
        }
        const ft::ChatRendering rendering = ft::renderChatTemplateWithMask(templ, messages, options);
        // QTextDocument's CSS takes rgba() for a translucent background.
        const QColor h = theme::warningAccent(70);
        const QString style = QStringLiteral("background-color: rgba(%1,%2,%3,%4)")
                                  .arg(h.red()).arg(h.green()).arg(h.blue()).arg(h.alphaF());
        QString html = QStringLiteral("<pre style='white-space:pre-wrap'>");
        size_t at = 0;
        const std::string &text = rendering.text;
        for (const auto &[begin, end] : rendering.assistantRanges) {
            html += esc(text.substr(at, begin - at));
            html += QStringLiteral("<span style='%1'>%2</span>")
                        .arg(style, esc(text.substr(begin, end - begin)));
            at = end;
            ++m_highlighted;
        }
        html += esc(text.substr(at)) + QStringLiteral("</pre>");
        m_rendered->setHtml(html);
        if (tokenizer) {
            const ft::ChatTokens tokens = ft::tokenizeChat(*tokenizer, rendering);
            const auto trained = std::count(tokens.lossMask.begin(), tokens.lossMask.end(), 1);
            m_tokens->setText(tr("%1 tokens, %2 trained").arg(tokens.ids.size()).arg(trained));
        } else {
            m_tokens->setText(tr("%1 characters, %2 trained · open a model for token counts")
                                  .arg(QString::fromStdString(text).size())
                                  .arg([&] {
                                      qsizetype n = 0;
                                      for (const auto &[b, e] : rendering.assistantRanges)
                                          n += QString::fromStdString(text.substr(b, e - b)).size();
                                      return n;
                                  }()));
        }
    } catch (const std::exception &e) {
        m_rendered->setPlainText(tr("Cannot render this row with the %1 template:\n%2")
                                     .arg(templateName(), QString::fromUtf8(e.what())));
        m_tokens->clear();
    }
}

QString RowView::renderedText() const
{
    return m_rendered->toPlainText();
}

QString RowView::tokenSummary() const
{
    return m_tokens->text();
}

} // namespace ftui
