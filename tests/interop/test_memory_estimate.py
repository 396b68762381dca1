"""The training memory estimate (ft/memoryestimate.h, `finetune-cli memory`) against reality:
train a few steps of a small-but-not-trivial Llama (hidden 256, 4 layers, cutoff 256, batch 4)
with `finetune-cli train` and compare the growth of the peak resident memory over a process that
only loads the model and runs it once (`generate`, one token) with the estimate's gradients +
optimizer state + activations. Stated tolerance: measured / estimated within 0.5x .. 2x.
Also the trainable counts against peft's."""
import json
import os
import subprocess
import sys

import pytest

from conftest import cli_json, cli_path
from tiny_trainable import make

HIDDEN, LAYERS, MLP, HEADS = 256, 4, 688, 4
BATCH, CUTOFF = 4, 256


@pytest.fixture(scope="module")
def setup(work_dir, fixtures_dir):
    root = work_dir / "memory-estimate"
    rows = json.loads((fixtures_dir / "datasets" / "alpaca_en_demo.json").read_text())
    # Long answers, so that every row reaches the cutoff and a batch is BATCH x CUTOFF tokens.
    long_rows = [r for r in rows if len(r["output"]) > 1500][:16]
    assert len(long_rows) == 16
    data = root / "long.json"
    if not (root / "model" / "config.json").exists():
        root.mkdir(parents=True, exist_ok=True)
        data.write_text(json.dumps(long_rows))
        make(root, data, rows=16, hidden=HIDDEN, layers=LAYERS, intermediate=MLP, heads=HEADS,
             kv_heads=HEADS)
    data.write_text(json.dumps(long_rows))
    return root, root / "model", data


# Linux carries a process's peak RSS across exec, so a child forked from this (large) pytest
# process would report pytest's peak. A fresh small interpreter starts the CLI and reports it.
_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
sys.stderr.write(err.decode(errors="replace"))
print(usage.ru_maxrss * 1024)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def peak_rss_bytes(args):
    """Runs finetune-cli; returns (exit code, its peak resident set in bytes, stderr)."""
    proc = subprocess.run([sys.executable, "-c", _MEASURE, cli_path(), *map(str, args)],
                          capture_output=True, text=True, timeout=600)
    peak = int(proc.stdout.strip() or 0)
    return proc.returncode, peak, proc.stderr


def measure_growth(setup, strategy, checkpointing=False):
    """Peak RSS growth of 3 training steps over loading and running the model once, and the
    estimate's gradients + optimizer + activations for the same run."""
    root, model, data = setup
    flags = ["--gradient-checkpointing"] if checkpointing else []
    estimate = cli_json("memory", "--model", model, "--strategy", strategy, "--batch", BATCH,
                        "--cutoff", CUTOFF, *flags)
    assert estimate["gradient_checkpointing"] == checkpointing
    rc, base, err = peak_rss_bytes(["--threads", "1", "generate", "--model", model, "--prompt",
                                    "Hello", "--max-new-tokens", "1"])
    assert rc == 0, err
    name = f"{strategy}{'-checkpointing' if checkpointing else ''}"
    out = root / f"run-{name}"
    config = {"model": str(model), "data": str(data), "output_dir": str(out),
              "strategy": strategy, "template": "alpaca", "cutoff_len": CUTOFF,
              "per_device_train_batch_size": BATCH, "gradient_accumulation_steps": 1,
              "max_steps": 3, "save_steps": 0, "logging_steps": 1,
              "gradient_checkpointing": checkpointing,
              "lora": {"r": 8, "target_modules": ["q_proj", "v_proj"]}}
    cfg = root / f"{name}.json"
    cfg.write_text(json.dumps(config))
    rc, trained, err = peak_rss_bytes(["--threads", "1", "train", "--config", cfg])
    assert rc == 0, err
    growth = trained - base
    expected = estimate["total"] - estimate["weights"]
    print(f"{name}: peak RSS generate {base / 2**20:.0f} MiB, train {trained / 2**20:.0f} MiB, "
          f"growth {growth / 2**20:.0f} MiB; estimate gradients {estimate['gradients'] / 2**20:.0f}"
          f" + optimizer {estimate['optimizer'] / 2**20:.0f} + activations "
          f"{estimate['activations'] / 2**20:.0f} = {expected / 2**20:.0f} MiB; "
          f"ratio {growth / expected:.2f}")
    return growth, expected


@pytest.mark.parametrize("strategy", ["full", "lora"])
def test_estimate_matches_peak_rss_growth(setup, strategy):
    growth, expected = measure_growth(setup, strategy)
    assert 0.5 <= growth / expected <= 2.0, (growth, expected)


def test_gradient_checkpointing_lowers_peak_rss(setup):
    """Checkpointed blocks keep only their input: the growth falls, and the estimate follows."""
    plain, _ = measure_growth(setup, "lora")
    checkpointed, expected = measure_growth(setup, "lora", checkpointing=True)
    assert 0.5 <= checkpointed / expected <= 2.0, (checkpointed, expected)
    assert checkpointed < 0.8 * plain, (checkpointed, plain)


def test_trainable_counts_equal_peft(setup):
    import peft
    import transformers
    _, model, _ = setup
    base = transformers.AutoModelForCausalLM.from_pretrained(model)
    total = sum(p.numel() for p in base.parameters())
    full = cli_json("memory", "--model", model, "--strategy", "full")
    assert full["trainable_parameters"] == total
    for targets in (["q_proj", "v_proj"], ["all-linear"]):
        ours = cli_json("memory", "--model", model, "--strategy", "lora", "--lora-r", "16",
                        "--targets", *targets)
        wrapped = peft.get_peft_model(
            transformers.AutoModelForCausalLM.from_pretrained(model),
            peft.LoraConfig(r=16, target_modules=targets[0] if targets == ["all-linear"]
                            else targets, task_type="CAUSAL_LM"))
        assert ours["trainable_parameters"] == wrapped.get_nb_trainable_parameters()[0], targets
    ia3 = cli_json("memory", "--model", model, "--strategy", "ia3")
    wrapped = peft.get_peft_model(transformers.AutoModelForCausalLM.from_pretrained(model),
                                  peft.IA3Config(task_type="CAUSAL_LM"))
    assert ia3["trainable_parameters"] == wrapped.get_nb_trainable_parameters()[0]
    prompt = cli_json("memory", "--model", model, "--strategy", "prompt")
    wrapped = peft.get_peft_model(transformers.AutoModelForCausalLM.from_pretrained(model),
                                  peft.PromptTuningConfig(task_type="CAUSAL_LM",
                                                          num_virtual_tokens=20))
    assert prompt["trainable_parameters"] == wrapped.get_nb_trainable_parameters()[0]


def test_estimate_names_the_memory_it_compares_with(setup):
    """The verdict is against the memory of the device "auto" trains on: the GPU's (its name,
    the same total torch.cuda reports for device 0) or this machine's RAM."""
    _, model, _ = setup
    out = cli_json("memory", "--model", model, "--strategy", "lora")
    if out["device"] == "cpu":
        assert out["available_source"] == "RAM" and out["available"] == out["ram"] > 0, out
        return
    import torch
    assert out["device"] == "cuda" and torch.cuda.is_available(), out
    props = torch.cuda.get_device_properties(0)
    assert out["available_source"] == "GPU " + props.name, out
    # cudaMemGetInfo's total and the properties' totalGlobalMem may differ by the driver's share.
    assert abs(out["available"] - props.total_memory) <= 0.05 * props.total_memory, out
