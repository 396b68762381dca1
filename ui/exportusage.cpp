#include "exportusage.h"

#include <QDir>
#include <QFileInfo>

namespace ftui {
namespace {

QString firstWithSuffix(const ft::RunExportResult &result, const QString &suffix)
{
    for (const std::string &f : result.files)
        if (QString::fromStdString(f).endsWith(suffix))
            return QDir(QString::fromStdString(result.folder.string())).filePath(QString::fromStdString(f));
    return {};
}

QString quoted(const QString &path)
{
    return QLatin1Char('"') + path + QLatin1Char('"');
}

} // namespace

QString exportUsageText(ft::ExportFormat format, const ft::RunExportResult &result, const QString &baseModel)
{
    const QString folder = QString::fromStdString(result.folder.string());
    const QString gguf = firstWithSuffix(result, QStringLiteral(".gguf"));
    switch (format) {
    case ft::ExportFormat::Peft:
        return QStringLiteral(
                   "# Python (transformers + peft)\n"
                   "from transformers import AutoModelForCausalLM, AutoTokenizer\n"
                   "from peft import PeftModel\n"
                   "base = AutoModelForCausalLM.from_pretrained(%1)\n"
                   "model = PeftModel.from_pretrained(base, %2)\n"
                   "tokenizer = AutoTokenizer.from_pretrained(%1)\n")
            .arg(quoted(baseModel), quoted(folder));
    case ft::ExportFormat::Merged:
        return QStringLiteral(
                   "# Python (transformers)\n"
                   "from transformers import AutoModelForCausalLM, AutoTokenizer\n"
                   "model = AutoModelForCausalLM.from_pretrained(%1)\n"
                   "tokenizer = AutoTokenizer.from_pretrained(%1)\n")
            .arg(quoted(folder));
    case ft::ExportFormat::Gguf:
        return QStringLiteral("# llama.cpp\nllama-cli -m %1 -cnv\n").arg(quoted(gguf));
    case ft::ExportFormat::GgufLora:
        return QStringLiteral(
                   "# llama.cpp: the adapter over the base model as GGUF (convert it first with\n"
                   "#   finetune-cli convert --model %1 --to gguf --type F16 --out base.gguf)\n"
                   "llama-cli -m base.gguf --lora %2 -cnv\n")
            .arg(quoted(baseModel), quoted(gguf));
    case ft::ExportFormat::Ollama:
        return QStringLiteral("# Ollama\ncd %1\nollama create %2 -f Modelfile\nollama run %2\n")
            .arg(quoted(folder), QFileInfo(folder).fileName().toLower().replace(QLatin1Char(' '), QLatin1Char('-')));
    }
    return {};
}

} // namespace ftui
