// How numbers and model facts read on screen. Pure functions, no widgets.
#pragma once

#include <QString>

namespace ftui::format {

// 134515008 -> "134.5 M", 7241732096 -> "7.24 B", 950 -> "950".
QString parameterCount(qint64 count);
// "huggingface" -> "Hugging Face (safetensors)", "gguf" -> "GGUF".
QString modelFormat(const QString &engineFormat);
// 10000.0 -> "10000", 0 -> "" (the model has no rotary embedding).
QString ropeTheta(double theta);
QString yesNo(bool value);
// The engine writes messages in lower case ("the tokenizer has ..."): start with a capital.
QString sentence(const QString &text);
// A folder's name or a file's name without its suffix.
QString modelName(const QString &path);

} // namespace ftui::format
