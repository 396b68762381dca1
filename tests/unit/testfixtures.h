// Where tests find ../shared/fixtures (FT_FIXTURES), and the rule for a missing one: skip with a
// clear message, or fail when FT_REQUIRE_FIXTURES=1 (set by .ci/run).
#pragma once

#include <QString>
#include <QTest>

namespace fttest {

QString fixturesDir();
// Full path of a fixture, or an empty string when it is missing (after QSKIP/QFAIL was issued:
// callers must `return` on empty).
QString fixturePath(const QString &relative);
bool fixturesRequired();

} // namespace fttest

// Use inside a test function: resolves `var` or skips/fails the test.
#define FT_REQUIRE_FIXTURE(var, relative)                                                         \
    const QString var = fttest::fixturePath(relative);                                          \
    if (var.isEmpty()) {                                                                          \
        if (fttest::fixturesRequired())                                                           \
            QFAIL(qPrintable(QStringLiteral("missing fixture ") + relative));                     \
        QSKIP(qPrintable(QStringLiteral("fixture not found (set FT_FIXTURES): ") + relative));    \
    }
