// A one-line label that never asks for more width than a few characters: when its text does not
// fit it is drawn elided ("Tuned: LoRA adapter my-r…") and the whole text becomes the tooltip.
// text() stays the whole text, so it reads like any QLabel. Plain text only, no word wrap.
#pragma once

#include <QLabel>

namespace ftui {

class ElidedLabel : public QLabel
{
    Q_OBJECT

public:
    explicit ElidedLabel(const QString &text = QString(), QWidget *parent = nullptr);

    void setElideMode(Qt::TextElideMode mode);
    Qt::TextElideMode elideMode() const { return m_mode; }
    // The text as drawn at the current width.
    QString shownText() const;
    bool isElided() const { return shownText() != text(); }

    QSize minimumSizeHint() const override;

protected:
    void paintEvent(QPaintEvent *event) override;

private:
    void updateToolTip(bool elided);

    Qt::TextElideMode m_mode = Qt::ElideRight;
    QString m_autoToolTip;  // the tooltip this label set itself (a caller's own one is kept)
};

} // namespace ftui
