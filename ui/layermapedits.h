// What a click on the layer map does to the training settings: tiles toggled between frozen and
// trainable become explicit freeze options; a module chip toggles a LoRA target.
#pragma once

#include <ft/modelstructure.h>
#include <ft/trainer.h>

#include <QStringList>

namespace ftui {

// `settings` with the parts `ids` made trainable (or frozen): strategy freeze, whole blocks as
// the block list, parts of blocks as anchored patterns on their parameter names, parts outside
// the blocks as extras. The parts training now come from `plan` when the strategy trains base
// weights (a LoRA or adapter plan trains none of them).
ft::TrainingConfig withPartsToggled(ft::TrainingConfig settings, const ft::ModelStructure &structure,
                                    const ft::TrainingPlan &plan, const QStringList &ids, bool trainable);

// `settings` with LoRA target `module` toggled; the first click from another strategy switches
// to LoRA with the module added. `allModules` expands all-linear before removing one.
ft::TrainingConfig withLoraModuleToggled(ft::TrainingConfig settings, const QString &module,
                                         const QStringList &allModules);

} // namespace ftui
