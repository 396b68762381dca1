#include "wheelguard.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>

namespace ftui {
namespace {

const char kGuardName[] = "ftuiWheelGuard";

class WheelGuard : public QObject
{
public:
    explicit WheelGuard(QObject *parent) : QObject(parent) { setObjectName(QLatin1String(kGuardName)); }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        const QEvent::Type type = event->type();
        if (type != QEvent::Wheel && type != QEvent::Polish)
            return false;
        auto *field = qobject_cast<QWidget *>(watched);
        if (!field || !isWheelGuardedField(field))
            return false;
        if (type == QEvent::Polish) {
            // Only Qt's default: a field a page deliberately set otherwise keeps its policy.
            if (field->focusPolicy() == Qt::WheelFocus)
                field->setFocusPolicy(Qt::StrongFocus);
            return false;
        }
        if (field->hasFocus())
            return false;
        // Handled here but not accepted: Qt offers an ignored wheel event to the parents.
        event->ignore();
        return true;
    }
};

} // namespace

bool isWheelGuardedField(const QWidget *widget)
{
    return qobject_cast<const QAbstractSpinBox *>(widget) || qobject_cast<const QComboBox *>(widget);
}

void installWheelGuard()
{
    QCoreApplication *app = QCoreApplication::instance();
    if (!app || app->findChild<QObject *>(QLatin1String(kGuardName), Qt::FindDirectChildrenOnly))
        return;
    app->installEventFilter(new WheelGuard(app));
}

} // namespace ftui
