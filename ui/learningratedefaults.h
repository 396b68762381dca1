// Learning rates that suit each strategy. The article's 2e-5 is meant for full fine-tuning;
// adapters train far fewer, freshly initialised parameters and want a larger step (PEFT's and
// LLaMA-Factory's examples use 1e-4 to 2e-4 for LoRA and IA3; prompt tuning's virtual tokens
// take 3e-2 in PEFT's example).
#pragma once

#include <QString>

#include <string>

namespace ftui {

double defaultLearningRate(const std::string &strategy);
// For the learning rate's tooltip: the defaults per strategy, and the article's value.
QString learningRateAdvice();

} // namespace ftui
