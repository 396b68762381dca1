#include "enumtext.h"

#include <QCoreApplication>

namespace ftui {

namespace {
class EnumText
{
    Q_DECLARE_TR_FUNCTIONS(ftui::EnumText)
};
} // namespace

QString rowStatusText(ft::RowStatus status)
{
    switch (status) {
    case ft::RowStatus::Pending: return EnumText::tr("pending");
    case ft::RowStatus::Accepted: return EnumText::tr("accepted");
    case ft::RowStatus::Excluded: return EnumText::tr("excluded");
    }
    return QString::fromLatin1(ft::rowStatusName(status));
}

QString rowKindText(ft::RowKind kind)
{
    switch (kind) {
    case ft::RowKind::Sft: return EnumText::tr("sft", "row kind: instruction and answer");
    case ft::RowKind::Preference: return EnumText::tr("preference", "row kind");
    case ft::RowKind::Choice: return EnumText::tr("choice", "row kind");
    case ft::RowKind::Text: return EnumText::tr("text", "row kind: plain text");
    }
    return QString::fromLatin1(ft::rowKindName(kind));
}

QString memoryVerdictText(ft::MemoryVerdict verdict)
{
    switch (verdict) {
    case ft::MemoryVerdict::Fits: return EnumText::tr("fits", "memory");
    case ft::MemoryVerdict::Tight: return EnumText::tr("tight", "memory");
    case ft::MemoryVerdict::DoesNotFit: return EnumText::tr("does not fit", "memory");
    }
    return QString::fromLatin1(ft::memoryVerdictName(verdict));
}

} // namespace ftui
