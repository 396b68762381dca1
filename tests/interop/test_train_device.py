"""Training on FT_TEST_DEVICE (cpu here; cuda in scripts/gpu-check.sh) follows the reference.
Full fine-tuning: every step's loss equals transformers' (plain torch.optim.AdamW, clipping, the
same batches: stage "pt", one micro-batch holding every packed row) on the same device, with bf16
autocast where the engine uses it. LoRA, DoRA, IA3, prompt tuning and freeze on the GPU log the
same losses as the same run on the CPU (whose steps the CPU suite ties to torch and peft)."""
import json
import os
import shutil

import pytest
import torch

from conftest import run_cli, train_device
from pt_documents import (CUTOFF, DOCUMENTS, packed_pieces, packed_row_count,
                          write_model_and_documents)
from tiny_models import build

DEVICE = train_device()
STEPS = 4


@pytest.fixture(scope="module")
def setup(work_dir):
    root = work_dir / f"train-device-{DEVICE}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    model, data = write_model_and_documents(root)
    _, stream_tokens = packed_pieces(model, DOCUMENTS, CUTOFF)
    return root, model, data, packed_row_count(stream_tokens)


def _train(setup, name, device, **overrides):
    root, model, data, rows = setup
    out = root / f"{name}-{device}"
    cfg = {"model": str(model), "data": str(data), "output_dir": str(out), "stage": "pt",
           "cutoff_len": CUTOFF, "logging_steps": 1, "save_steps": 0,
           "per_device_train_batch_size": rows, "gradient_accumulation_steps": 1,
           "max_steps": STEPS, "learning_rate": 1e-3, "warmup_steps": 0,
           "lr_scheduler_type": "constant", "weight_decay": 0.01, "max_grad_norm": 1.0,
           "device": device}
    cfg.update(overrides)
    path = root / f"{name}-{device}.json"
    path.write_text(json.dumps(cfg))
    run_cli("train", "--config", path, timeout=300)
    env = json.loads((out / "environment.json").read_text())
    assert env["device"] == device, env
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()
               if line]
    return [m["step_loss"] for m in metrics if "step_loss" in m], env


def _tolerance(env):
    """fp32 on both sides: float error; bf16 autocast: bf16's 8-bit mantissa over a few layers."""
    gpu = env.get("gpu") or {}
    return 3e-2 if gpu.get("autocast") == "bf16" else 1e-4


def _reference_full(model_dir, pieces, autocast):
    """transformers' full fine-tuning over the engine's batch: the token-weighted causal-LM loss
    of every piece (each its own sequence), AdamW with decay on matrices, clipping at 1.0."""
    model = build("llama", model_dir).to(DEVICE).eval()  # eval(): no dropout; grads flow
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    decay = [p for n, p in named if p.dim() >= 2 and "bias" not in n]
    plain = [p for n, p in named if not (p.dim() >= 2 and "bias" not in n)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01},
                             {"params": plain, "weight_decay": 0.0}], lr=1e-3, foreach=False)
    pieces = [p for p in pieces if len(p) >= 2]
    tokens = sum(len(p) - 1 for p in pieces)
    losses = []
    for _ in range(STEPS):
        total = 0.0
        for piece in pieces:
            ids = torch.tensor([piece], device=DEVICE)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=autocast):
                out = model(input_ids=ids, labels=ids)
            loss = out.loss.float() * (len(piece) - 1) / tokens
            loss.backward()
            total += loss.item()
        torch.nn.utils.clip_grad_norm_([p for _, p in named], 1.0)
        opt.step()
        opt.zero_grad()
        losses.append(total)
    return losses


def test_full_finetuning_losses_equal_transformers(setup):
    root, model, _, _ = setup
    ours, env = _train(setup, "full", DEVICE, strategy="full")
    pieces, _ = packed_pieces(model, DOCUMENTS, CUTOFF)
    autocast = (env.get("gpu") or {}).get("autocast") == "bf16"
    ref = _reference_full(model, pieces, autocast)
    assert len(ours) == STEPS
    tol = _tolerance(env)
    for step, (a, b) in enumerate(zip(ours, ref), 1):
        assert abs(a - b) <= tol * max(1.0, abs(b)), (step, ours, ref)
    assert ours[-1] < ours[0] - 0.05, ours  # it learns


STRATEGIES = {
    "lora": {"strategy": "lora", "lora": {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0,
                                          "target_modules": "all-linear"}},
    "dora": {"strategy": "lora", "lora": {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0,
                                          "target_modules": ["q_proj", "v_proj"],
                                          "use_dora": True}},
    "ia3": {"strategy": "ia3", "learning_rate": 5e-2},
    "prompt": {"strategy": "prompt_tuning", "learning_rate": 1e-1,
               "prompt_tuning": {"num_virtual_tokens": 4}},
    "freeze": {"strategy": "freeze", "freeze": {"last_blocks": 1}},
}


@pytest.mark.parametrize("name", list(STRATEGIES))
def test_strategy_on_device_follows_the_cpu(setup, name):
    """The same seed, data and batches: the device's losses are the CPU's (within float error,
    or bf16 autocast's). On the CPU itself: the run learns."""
    ours, env = _train(setup, name, DEVICE, **STRATEGIES[name])
    assert len(ours) == STEPS and all(map(lambda x: x == x, ours)), ours
    assert ours[-1] < ours[0], ours
    if DEVICE == "cpu":
        return
    cpu, _ = _train(setup, name, "cpu", **STRATEGIES[name])
    tol = _tolerance(env)
    for step, (a, b) in enumerate(zip(ours, cpu), 1):
        assert abs(a - b) <= tol * max(1.0, abs(b)), (step, ours, cpu)
