#include "export/ollamamodelfile.h"

#include "train/runfiles.h"

#include <sstream>

namespace ft {
namespace {

// Modelfile values in triple quotes may hold anything but the closing quotes.
std::string tripleQuoted(std::string text)
{
    for (std::size_t pos; (pos = text.find("\"\"\"")) != std::string::npos;)
        text.replace(pos, 3, "\"\" \"");
    return "\"\"\"" + text + "\"\"\"";
}

std::string quoted(const std::string &text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    return out + "\"";
}

} // namespace

std::string ollamaModelfile(const ModelfileInput &in)
{
    std::ostringstream out;
    out << "# Ollama Modelfile written by FineTune Studio. Create the model with:\n"
        << "#   ollama create NAME -f Modelfile\n"
        << "FROM ./" << in.from << "\n";
    if (!in.adapter.empty())
        out << "ADAPTER ./" << in.adapter << "\n";
    if (in.chat.ok) {
        out << "\n# Translated from the " << in.chat.family << " chat template the run trained with.\n"
            << "TEMPLATE " << tripleQuoted(in.chat.goTemplate) << "\n";
        for (const std::string &stop : in.chat.stops)
            out << "PARAMETER stop " << quoted(stop) << "\n";
    } else {
        out << "\n# No TEMPLATE: the chat template could not be translated (" << in.chat.reason
            << ");\n# Ollama falls back to the template embedded in the GGUF file.\n";
    }
    const std::string system = !in.system.empty() ? in.system : (in.chat.ok ? in.chat.defaultSystem : "");
    if (!system.empty())
        out << "SYSTEM " << tripleQuoted(system) << "\n";
    if (in.temperature >= 0)
        out << "PARAMETER temperature " << fmt(in.temperature) << "\n";
    return out.str();
}

} // namespace ft
