#include "noprojectview.h"

#include "namedbutton.h"
#include "projectactions.h"
#include "theme.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace ftui {

NoProjectView::NoProjectView(StudioSession *session, QWidget *parent)
    : QWidget(parent), m_session(session)
{
    auto *emptyLayout = new QVBoxLayout(this);
    emptyLayout->addStretch(1);
    auto *emptyTitle = new QLabel(tr("No project open"));
    theme::makeHeading(emptyTitle, 1.6);
    emptyTitle->setAlignment(Qt::AlignCenter);
    auto *emptyText = new QLabel(
        tr("A project is one file that holds your datasets, their reviewed rows and splits, and "
           "your training runs.\nEvery change is saved as you make it. Drop data files here to "
           "import them."));
    emptyText->setAlignment(Qt::AlignCenter);
    theme::makeSecondary(emptyText);
    auto *newButton = namedButton(tr("New Project…"), QStringLiteral("newProjectButton"));
    auto *openButton = namedButton(tr("Open Project…"), QStringLiteral("openProjectButton"));
    connect(newButton, &QPushButton::clicked, this, [this] { chooseNewProject(this, m_session); });
    connect(openButton, &QPushButton::clicked, this, [this] { chooseOpenProject(this, m_session); });
    auto *emptyButtons = new QHBoxLayout;
    emptyButtons->addStretch(1);
    emptyButtons->addWidget(newButton);
    emptyButtons->addWidget(openButton);
    emptyButtons->addStretch(1);
    emptyLayout->addWidget(emptyTitle);
    emptyLayout->addWidget(emptyText);
    emptyLayout->addLayout(emptyButtons);
    emptyLayout->addStretch(2);
}

} // namespace ftui
