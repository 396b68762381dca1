// Running a loaded model's forward pass on the GPU (the CLI's `logits --device`).
#pragma once

#include <string>

namespace ft {

class Model;

// Moves the model's weights to `device` ("cpu", "cuda" or "auto": cuda where LibTorch has it
// and sees a device); returns the device used. Bad input (exit 2) when "cuda" cannot be met,
// naming why. Attach adapters afterwards: they are made on their base's device.
std::string moveModelTo(Model &model, const std::string &device);

} // namespace ft
