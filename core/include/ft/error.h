// Errors that cross the engine's boundary. An expected failure (a bad file, a bad argument) is a
// BadInput error whose message names the file or field and what is wrong; the CLI maps it to exit
// code 2 and the GUI to a dialog. Anything else is Internal (exit code 1).
#pragma once

#include <stdexcept>
#include <string>

namespace ft {

enum class ErrorKind { BadInput, Internal, Cancelled };

class Error : public std::runtime_error
{
public:
    Error(ErrorKind kind, const std::string &message)
        : std::runtime_error(message), m_kind(kind) {}
    ErrorKind kind() const { return m_kind; }

private:
    ErrorKind m_kind;
};

[[noreturn]] inline void throwBadInput(const std::string &message)
{
    throw Error(ErrorKind::BadInput, message);
}

} // namespace ft
