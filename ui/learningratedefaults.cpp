#include "learningratedefaults.h"

#include <QCoreApplication>

namespace ftui {

double defaultLearningRate(const std::string &strategy)
{
    if (strategy == "lora" || strategy == "ia3")
        return 2e-4;
    if (strategy == "prompt_tuning")
        return 3e-2;
    return 2e-5;  // full, freeze, progressive: the pretrained weights themselves move
}

QString learningRateAdvice()
{
    return QCoreApplication::translate(
        "ftui::TrainingSettingsForm",
        "The step size of AdamW. Each strategy starts from its own default: 2e-4 for LoRA and "
        "IA3, 3e-2 for prompt tuning, 2e-5 for full, freeze and progressive fine-tuning (the "
        "article's value, meant for full fine-tuning). A rate you type stays when you switch. "
        "Too high: the loss jumps or becomes NaN.");
}

} // namespace ftui
