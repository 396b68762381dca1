// The "how to use it" text after an export: the exact commands for the files written (peft /
// transformers in Python, llama.cpp's llama-cli, ollama create).
#pragma once

#include <ft/runexport.h>

#include <QString>

namespace ftui {

// `baseModel`: the run's base model (folder or .gguf); `result`: what the export wrote.
QString exportUsageText(ft::ExportFormat format, const ft::RunExportResult &result,
                        const QString &baseModel);

} // namespace ftui
