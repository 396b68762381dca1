// Spin boxes and combo boxes take the mouse wheel only while they have focus. Qt's default lets
// the wheel change a field the pointer merely passes over, so a user scrolling a settings form
// (Train, Strategy, Evaluate, Export, Settings) would silently change a learning rate or an epoch
// count. One application-wide event filter, so that fields created later (option panels swapped
// in, dialogs) are covered too and no page repeats it.
#pragma once

class QWidget;

namespace ftui {

// Installs the guard on the running QApplication; later calls do nothing. From then on, a spin
// box or combo box being polished loses wheel focus (Qt::WheelFocus becomes Qt::StrongFocus:
// click or Tab to focus it), and an unfocused one ignores the wheel, which Qt then passes to its
// parents, so the enclosing scroll area scrolls instead.
void installWheelGuard();

// Whether `widget` is a field the guard keeps the wheel from while it is unfocused.
bool isWheelGuardedField(const QWidget *widget);

} // namespace ftui
