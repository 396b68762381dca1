#include "layermapedits.h"

#include <QRegularExpression>

#include <algorithm>
#include <set>

namespace ftui {

ft::TrainingConfig withPartsToggled(ft::TrainingConfig s, const ft::ModelStructure &structure,
                                    const ft::TrainingPlan &plan, const QStringList &ids, bool trainable)
{
    std::set<std::string> on;
    if (s.strategy == "freeze" || s.strategy == "full" || s.strategy == "progressive")
        for (const auto &part : plan.parts)
            if (part.trainable)
                on.insert(part.id);
    for (const QString &id : ids) {
        if (trainable)
            on.insert(id.toStdString());
        else
            on.erase(id.toStdString());
    }
    s.strategy = "freeze";
    s.freeze.blockSelection = "list";
    s.freeze.blockCount = 0;
    s.freeze.blocks.clear();
    s.freeze.modules = {"attention", "mlp", "norms"};
    s.freeze.extra.clear();
    s.freeze.patterns.clear();
    for (int b = 0; b < structure.blockCount; ++b) {
        std::vector<const ft::ModelPart *> parts;
        for (const auto &part : structure.parts)
            if (part.block == b)
                parts.push_back(&part);
        const bool all = std::all_of(parts.begin(), parts.end(),
                                     [&](const ft::ModelPart *p) { return on.count(p->id) > 0; });
        if (all && !parts.empty()) {
            s.freeze.blocks.push_back(b);
            continue;
        }
        for (const ft::ModelPart *p : parts) {
            if (!on.count(p->id) || p->parameterNames.empty())
                continue;
            QStringList names;
            for (const auto &name : p->parameterNames)
                names << QRegularExpression::escape(QString::fromStdString(name));
            s.freeze.patterns.push_back(
                (QStringLiteral("^(") + names.join(QLatin1Char('|')) + QStringLiteral(")$")).toStdString());
        }
    }
    for (const auto &part : structure.parts)
        if (part.block < 0 && on.count(part.id) && !(part.kind == "lm_head" && part.tied))
            s.freeze.extra.push_back(part.kind);
    return s;
}

ft::TrainingConfig withLoraModuleToggled(ft::TrainingConfig s, const QString &module, const QStringList &allModules)
{
    const std::string name = module.toStdString();
    auto &targets = s.lora.targetModules;
    if (s.strategy != "lora") {
        // The first click on a chip switches to LoRA with that module among the targets.
        s.strategy = "lora";
        if (s.lora.targetRegex.empty() && std::find(targets.begin(), targets.end(), name) == targets.end())
            targets.push_back(name);
    } else {
        if (s.lora.targetRegex == "all-linear") {
            // Expand all-linear into its modules, then remove the clicked one.
            s.lora.targetRegex.clear();
            targets.clear();
            for (const QString &m : allModules)
                targets.push_back(m.toStdString());
        }
        auto it = std::find(targets.begin(), targets.end(), name);
        if (it != targets.end())
            targets.erase(it);
        else
            targets.push_back(name);
    }
    if (!s.lora.targetRegex.empty() && s.lora.targetRegex != "all-linear")
        s.lora.targetRegex.clear();
    if (targets.empty() && s.lora.targetRegex.empty())
        targets.push_back(name);
    return s;
}

} // namespace ftui
