// What the Data page shows without a project: what a project is, and New / Open buttons.
#pragma once

#include <QWidget>

namespace ftui {

class StudioSession;

class NoProjectView : public QWidget
{
    Q_OBJECT

public:
    explicit NoProjectView(StudioSession *session, QWidget *parent = nullptr);

private:
    StudioSession *m_session;
};

} // namespace ftui
