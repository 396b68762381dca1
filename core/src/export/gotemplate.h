// The small subset of Go's text/template that the Ollama Modelfile TEMPLATE this engine writes
// uses, rendered the way Ollama fills it: {{ .System }}, {{ range .Messages }} with {{ .Role }}
// and {{ .Content }}, {{ if .System }}, {{ if eq .Role "user" }}, {{ else if ... }}, {{ else }},
// {{ end }}. Used to check a translated template against the model's Jinja template.
#pragma once

#include "ft/chattemplate.h"

#include <string>
#include <vector>

namespace ft {

// Throws BadInput ("Go template: ...") for anything outside the subset.
std::string renderGoTemplate(const std::string &templ, const std::string &system,
                             const std::vector<ChatMessage> &messages);

} // namespace ft
