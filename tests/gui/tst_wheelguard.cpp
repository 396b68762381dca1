// The mouse wheel over a settings form scrolls the form: a spin box or combo box the pointer
// passes over keeps its value unless it has focus (ui/wheelguard.h), on the real Train page
// inside its scroll area; a focused field still takes the wheel. Every spin box and combo box of
// the settings pages and the Settings dialog gives up wheel focus (a wheel must not focus it).

#include "mainwindow.h"
#include "settingsdialog.h"
#include "trainpage.h"
#include "wheelguard.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QCoreApplication>
#include <QDoubleSpinBox>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTest>
#include <QWheelEvent>

using ftui::MainWindow;

namespace {

// One wheel notch over the middle of `widget`, delivered as QApplication delivers a mouse's: to
// the widget, then up its parents while they ignore it. Qt 6 does not pass on a wheel event sent
// with sendEvent (it is not spontaneous) and QTest has no wheel, so the walk is done here.
// Returns the widget that took it, or null.
QWidget *wheel(QWidget *widget, int dy)
{
    const QPoint global = widget->mapToGlobal(widget->rect().center());
    for (QWidget *target = widget; target; target = target->parentWidget()) {
        QWheelEvent event(QPointF(target->mapFromGlobal(global)), QPointF(global), QPoint(),
                          QPoint(0, dy), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(target, &event);
        if (event.isAccepted())
            return target;
        if (target->isWindow())
            break;
    }
    return nullptr;
}

QScrollArea *enclosingScrollArea(QWidget *widget)
{
    for (QWidget *w = widget->parentWidget(); w; w = w->parentWidget())
        if (auto *area = qobject_cast<QScrollArea *>(w))
            return area;
    return nullptr;
}

// The guarded fields below `root` that still take focus from the wheel.
QStringList wheelFocusFields(QWidget *root)
{
    root->ensurePolished();
    QStringList names;
    for (QWidget *field : root->findChildren<QWidget *>())
        if (ftui::isWheelGuardedField(field) && (field->focusPolicy() & Qt::WheelFocus) == Qt::WheelFocus)
            names << QStringLiteral("%1 %2").arg(QLatin1String(field->metaObject()->className()),
                                                 field->objectName());
    return names;
}

} // namespace

class TestWheelGuard : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void unfocusedFieldsLetTheFormScroll();
    void focusedFieldTakesTheWheel();
    void noSettingsFieldTakesWheelFocus();

private:
    void showTrainPage(MainWindow &window);
};

void TestWheelGuard::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("FineTuneStudioTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_wheelguard"));
    QSettings().clear();
}

void TestWheelGuard::showTrainPage(MainWindow &window)
{
    window.showPage(MainWindow::Page::Train);
    window.resize(1100, 420);  // short enough that the settings form scrolls
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    window.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&window));
}

void TestWheelGuard::unfocusedFieldsLetTheFormScroll()
{
    MainWindow window;
    showTrainPage(window);
    auto *rate = window.trainPage()->findChild<QDoubleSpinBox *>(QStringLiteral("learningRate"));
    auto *templates = window.trainPage()->findChild<QComboBox *>(QStringLiteral("templateCombo"));
    QVERIFY(rate && templates);
    QScrollArea *area = enclosingScrollArea(rate);
    QVERIFY(area);
    QCOMPARE(enclosingScrollArea(templates), area);
    QScrollBar *bar = area->verticalScrollBar();
    QVERIFY2(bar->maximum() > 0, "the form must be taller than its scroll area");
    QVERIFY(!rate->hasFocus() && !templates->hasFocus());

    const double rateBefore = rate->value();
    QCOMPARE(bar->value(), 0);
    QCOMPARE(wheel(rate, -120), area->viewport());  // down: the form scrolls down
    QCOMPARE(rate->value(), rateBefore);
    const int afterRate = bar->value();
    QVERIFY(afterRate > 0);

    QVERIFY(templates->count() > 1);
    templates->setCurrentIndex(0);
    wheel(templates, -120);
    QCOMPARE(templates->currentIndex(), 0);
    QVERIFY(bar->value() > afterRate);
    QVERIFY(!rate->hasFocus() && !templates->hasFocus());
}

void TestWheelGuard::focusedFieldTakesTheWheel()
{
    MainWindow window;
    showTrainPage(window);
    auto *rate = window.trainPage()->findChild<QDoubleSpinBox *>(QStringLiteral("learningRate"));
    QVERIFY(rate);
    QScrollBar *bar = enclosingScrollArea(rate)->verticalScrollBar();
    rate->setFocus(Qt::MouseFocusReason);
    QTRY_VERIFY(rate->hasFocus());
    const double before = rate->value();
    const int scrolled = bar->value();
    QCOMPARE(wheel(rate, 120), rate);
    QVERIFY2(rate->value() > before, qPrintable(QString::number(rate->value())));
    QCOMPARE(bar->value(), scrolled);
}

void TestWheelGuard::noSettingsFieldTakesWheelFocus()
{
    MainWindow window;
    showTrainPage(window);
    // Every page of the window, shown or not (Strategy, Train, Evaluate, Export among them).
    QStringList left = wheelFocusFields(&window);
    QVERIFY2(left.isEmpty(), qPrintable(left.join(QStringLiteral(", "))));
    QVERIFY(window.findChildren<QAbstractSpinBox *>().size() > 10);
    ftui::SettingsDialog dialog(&window);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(!dialog.findChildren<QAbstractSpinBox *>().isEmpty());
    left = wheelFocusFields(&dialog);
    QVERIFY2(left.isEmpty(), qPrintable(left.join(QStringLiteral(", "))));
}

QTEST_MAIN(TestWheelGuard)
#include "tst_wheelguard.moc"
