#include "export/ollamatemplate.h"

#include "export/gotemplate.h"
#include "ft/error.h"

#include <algorithm>

namespace ft {
namespace {

const std::string kSystem = "SYSTEMzq1";
const std::string kUser1 = "USERzq2";
const std::string kAssistant = "ASSISTANTzq3";
const std::string kUser2 = "USERzq4";

bool startsWith(const std::string &s, const std::string &p) { return s.rfind(p, 0) == 0; }
bool endsWith(const std::string &s, const std::string &p)
{
    return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

std::string render(const std::string &jinja, ChatTemplateOptions options,
                   const std::vector<ChatMessage> &messages, bool generationPrompt)
{
    options.addGenerationPrompt = generationPrompt;
    std::string text = renderChatTemplate(jinja, messages, options);
    if (!options.bosToken.empty() && startsWith(text, options.bosToken))
        text.erase(0, options.bosToken.size());
    return text;
}

std::string trimmedLine(const std::string &s)
{
    const auto b = s.find_first_not_of(" \t\n");
    if (b == std::string::npos)
        return {};
    const auto e = s.find('\n', b);
    std::string line = s.substr(b, e == std::string::npos ? std::string::npos : e - b);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
        line.pop_back();
    return line;
}

std::string familyOf(const std::string &jinja)
{
    if (jinja.find("<|im_start|>") != std::string::npos)
        return "chatml";
    if (jinja.find("<|start_header_id|>") != std::string::npos)
        return "llama-3";
    if (jinja.find("[INST]") != std::string::npos)
        return "mistral";
    if (jinja.find("### Instruction") != std::string::npos)
        return "alpaca";
    return "other";
}

struct Parts
{
    std::string systemPrefix, systemSuffix, userPrefix, userSuffix, assistantPrefix,
        assistantSuffix, generationPrompt;
};

std::string goTemplateOf(const Parts &p, bool system)
{
    std::string t;
    if (system)
        t += "{{ if .System }}" + p.systemPrefix + "{{ .System }}" + p.systemSuffix + "{{ end }}";
    t += "{{ range .Messages }}{{ if eq .Role \"user\" }}" + p.userPrefix + "{{ .Content }}" +
         p.userSuffix + "{{ else if eq .Role \"assistant\" }}" + p.assistantPrefix +
         "{{ .Content }}" + p.assistantSuffix + "{{ end }}{{ end }}" + p.generationPrompt;
    return t;
}

OllamaTemplate refuse(OllamaTemplate t, const std::string &reason)
{
    t.ok = false;
    t.reason = reason;
    return t;
}

} // namespace

std::string jinjaReference(const std::string &jinja, const ChatTemplateOptions &options,
                           const std::vector<ChatMessage> &messages)
{
    return render(jinja, options, messages, true);
}

OllamaTemplate translateChatTemplate(const std::string &jinja, const ChatTemplateOptions &options)
{
    OllamaTemplate t;
    t.family = familyOf(jinja);
    const std::vector<ChatMessage> one{{"user", kUser1}};
    const std::vector<ChatMessage> two{{"user", kUser1}, {"assistant", kAssistant}};
    const std::vector<ChatMessage> three{{"user", kUser1}, {"assistant", kAssistant}, {"user", kUser2}};
    Parts p;
    std::string head;  // what the template writes before the first user turn without a system
    try {
        const std::string n = render(jinja, options, one, false);
        const std::string g = render(jinja, options, one, true);
        const std::string b = render(jinja, options, two, false);
        const std::string c = render(jinja, options, three, false);
        if (!startsWith(g, n) || !startsWith(b, n) || !startsWith(c, b))
            return refuse(t, "a later turn changes the text of earlier ones");
        p.generationPrompt = g.substr(n.size());
        const auto a = b.find(kAssistant, n.size());
        const auto u2 = c.find(kUser2, b.size());
        if (a == std::string::npos || u2 == std::string::npos)
            return refuse(t, "message contents are not rendered as they are");
        p.assistantSuffix = b.substr(a + kAssistant.size());
        p.userPrefix = c.substr(b.size(), u2 - b.size());
        p.userSuffix = c.substr(u2 + kUser2.size());
        const std::string firstTurn = p.userPrefix + kUser1 + p.userSuffix;
        if (!endsWith(n, firstTurn))
            return refuse(t, "the first user turn is written differently from later ones");
        head = n.substr(0, n.size() - firstTurn.size());
        const std::string between = b.substr(n.size(), a - n.size());
        p.assistantPrefix = between;
    } catch (const Error &e) {
        return refuse(t, e.what());
    }
    // System messages: optional (some templates refuse the role).
    try {
        const std::string s = render(jinja, options, {{"system", kSystem}, {"user", kUser1}}, false);
        const auto sp = s.find(kSystem);
        const std::string tail = p.userPrefix + kUser1 + p.userSuffix;
        if (sp != std::string::npos && endsWith(s, tail) && sp + kSystem.size() <= s.size() - tail.size()) {
            p.systemPrefix = s.substr(0, sp);
            p.systemSuffix = s.substr(sp + kSystem.size(), s.size() - tail.size() - sp - kSystem.size());
            t.supportsSystem = true;
        }
    } catch (const Error &) {
    }
    if (!head.empty()) {
        if (!t.supportsSystem || !startsWith(head, p.systemPrefix) || !endsWith(head, p.systemSuffix) ||
            head.size() < p.systemPrefix.size() + p.systemSuffix.size())
            return refuse(t, "text before the first user turn that is not a system prompt");
        t.defaultSystem = head.substr(p.systemPrefix.size(),
                                      head.size() - p.systemPrefix.size() - p.systemSuffix.size());
    }
    t.goTemplate = goTemplateOf(p, t.supportsSystem);

    // The check: a different conversation, with and without a system prompt.
    std::vector<ChatMessage> test{{"user", "Hello there!"}, {"assistant", "Hi. How can I help?"},
                                  {"user", "Name three colours."}};
    try {
        const std::string system = t.defaultSystem;
        if (render(jinja, options, test, true) != renderGoTemplate(t.goTemplate, system, test))
            return refuse(t, "the translated template renders a test conversation differently");
        if (t.supportsSystem) {
            std::vector<ChatMessage> withSystem = test;
            withSystem.insert(withSystem.begin(), ChatMessage{"system", "Be brief."});
            if (render(jinja, options, withSystem, true) !=
                renderGoTemplate(t.goTemplate, "Be brief.", withSystem))
                return refuse(t, "the translated template renders a system prompt differently");
        }
    } catch (const Error &e) {
        return refuse(t, e.what());
    }
    for (const std::string &stop :
         {trimmedLine(p.assistantSuffix), options.eosToken, trimmedLine(p.userPrefix)})
        if (!stop.empty() && std::find(t.stops.begin(), t.stops.end(), stop) == t.stops.end())
            t.stops.push_back(stop);
    t.ok = true;
    return t;
}

} // namespace ft
