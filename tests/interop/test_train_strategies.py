"""Strategies freeze and progressive, evaluation and early stopping, against the reference:
trainable counts equal transformers' (requires_grad set by the same rule) and peft's; frozen
weights stay bit-identical; progressive stages join at the right step and a resume across a
stage change continues the curve exactly; the eval loss equals transformers' loss on the
held-out rows for the final weights; early stopping stops."""
import json
import math
import re
import shutil

import pytest
import torch
from safetensors.torch import load_file

from conftest import run_cli, train_device
from test_train import _tokenizer
from tiny_models import build


@pytest.fixture(scope="module")
def setup(work_dir, fixtures_dir):
    rows = json.loads((fixtures_dir / "datasets" / "alpaca_en_demo.json").read_text())[:32]
    root = work_dir / "strategies"
    root.mkdir(parents=True, exist_ok=True)
    models = {}
    for kind in ("llama", "gpt2"):
        folder = root / f"tiny-{kind}"
        build(kind, folder)
        _tokenizer(folder, [r["instruction"] + "\n" + r["input"] + "\n" + r["output"] for r in rows])
        models[kind] = folder
    data = root / "alpaca32.json"
    data.write_text(json.dumps(rows))
    return root, models, data


def _config(root, model, data, name, **overrides):
    out = root / name
    shutil.rmtree(out, ignore_errors=True)
    cfg = {"model": str(model), "data": str(data), "output_dir": str(out), "template": "plain",
           "cutoff_len": 64, "logging_steps": 1, "save_steps": 0, "learning_rate": 1e-3,
           "per_device_train_batch_size": 8, "gradient_accumulation_steps": 1, "warmup_steps": 0,
           "device": train_device()}
    cfg.update(overrides)
    path = root / f"{name}.json"
    path.write_text(json.dumps(cfg))
    return path, out


def _metrics(out):
    lines = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines() if line]
    return [m for m in lines if "loss" in m], [m for m in lines if "eval_loss" in m]


# The freeze rule written independently from the engine, on transformers' parameter names:
# LLaMA-Factory's freeze_trainable_layers / _modules / freeze_extra_modules, plus regexes.
MODULES = {"attention": ("self_attn.", "attn."), "mlp": ("mlp.",),
           "norms": ("input_layernorm", "post_attention_layernorm", "ln_1", "ln_2")}
EXTRA = {"embeddings": ("model.embed_tokens.", "transformer.wte.", "transformer.wpe."),
         "final_norm": ("model.norm.", "transformer.ln_f."), "lm_head": ("lm_head.",)}


def _reference_count(model, n_blocks, freeze):
    if "blocks" in freeze:
        blocks = freeze["blocks"]
    elif "first_blocks" in freeze:
        blocks = list(range(freeze["first_blocks"]))
    else:
        blocks = list(range(n_blocks - freeze.get("last_blocks", 2), n_blocks))
    modules = freeze.get("modules", ["attention", "mlp", "norms"])
    extra = freeze.get("extra", [])
    patterns = freeze.get("patterns", [])
    for name, p in model.named_parameters():
        m = re.match(r"(?:model\.layers|transformer\.h)\.(\d+)\.(.*)", name)
        if m:
            take = int(m.group(1)) in blocks and any(m.group(2).startswith(pre) for mod in modules
                                                     for pre in MODULES[mod])
        else:
            take = any(name.startswith(pre) for e in extra for pre in EXTRA[e])
        take = take or any(re.search(pat, name) for pat in patterns)
        p.requires_grad_(take)
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


FREEZE_CASES = [
    {},                                                        # last 2 blocks, every module
    {"last_blocks": 1, "modules": ["mlp"], "extra": ["final_norm"]},
    {"first_blocks": 1, "modules": ["attention", "norms"], "extra": ["embeddings"]},
    {"blocks": [0], "modules": ["mlp"], "patterns": [r"q_proj\.weight$|c_attn\.bias$"]},
    {"blocks": [], "extra": ["embeddings", "final_norm"], "patterns": ["layers\\.1\\.|h\\.1\\."]},
]


@pytest.mark.parametrize("kind", ["llama", "gpt2"])
def test_trainable_counts_match_transformers_and_peft(setup, kind):
    root, models, data = setup
    model = build(kind, models[kind])
    for i, freeze in enumerate(FREEZE_CASES):
        cfg, _ = _config(root, models[kind], data, f"count-{kind}-{i}", strategy="freeze", freeze=freeze)
        plan = json.loads(run_cli("layers", "--config", cfg, "--json").stdout)
        assert plan["trainable_parameters"] == _reference_count(model, 2, freeze), (kind, freeze)
        assert plan["total_parameters"] == sum(p.numel() for p in model.parameters())
        assert sum(p["parameter_count"] for p in plan["parts"]) == plan["total_parameters"]
    # LoRA: peft's own count for the same targets.
    from peft import LoraConfig, get_peft_model
    targets = ["q_proj", "v_proj"] if kind == "llama" else ["c_attn"]
    cfg, _ = _config(root, models[kind], data, f"count-{kind}-lora", strategy="lora",
                     lora={"r": 4, "lora_alpha": 8, "target_modules": targets})
    plan = json.loads(run_cli("layers", "--config", cfg, "--json").stdout)
    peft_model = get_peft_model(build(kind, models[kind]),
                                LoraConfig(r=4, lora_alpha=8, target_modules=targets))
    assert plan["trainable_parameters"] == peft_model.get_nb_trainable_parameters()[0]


IA3_COUNT_CASES = [
    ("llama", {}),  # peft's defaults for llama: k_proj, v_proj, down_proj (feed-forward)
    ("llama", {"target_modules": ["q_proj", "o_proj", "up_proj", "down_proj"],
               "feedforward_modules": ["up_proj", "down_proj"]}),
    ("llama", {"target_modules": r".*\.layers\.1\..*_proj", "feedforward_modules": r".*mlp\.down_proj"}),
    ("gpt2", {}),  # c_attn, mlp.c_proj (feed-forward)
    ("gpt2", {"target_modules": ["c_attn", "attn.c_proj", "c_fc", "mlp.c_proj"],
              "feedforward_modules": ["mlp.c_proj"]}),
]


@pytest.mark.parametrize("kind,ia3", IA3_COUNT_CASES,
                         ids=["llama-default", "llama-lists", "llama-regex", "gpt2-default", "gpt2-all"])
def test_ia3_trainable_count_matches_peft(setup, kind, ia3):
    from peft import IA3Config, get_peft_model
    root, models, data = setup
    cfg, _ = _config(root, models[kind], data, f"count-{kind}-ia3-{len(ia3)}-{hash(str(ia3)) % 1000}",
                     strategy="ia3", ia3=ia3)
    plan = json.loads(run_cli("layers", "--config", cfg, "--json").stdout)
    peft_model = get_peft_model(build(kind, models[kind]), IA3Config(task_type="CAUSAL_LM", **ia3))
    assert plan["trainable_parameters"] == peft_model.get_nb_trainable_parameters()[0]
    # Per part: the vectors on each part's modules, peft's ia3_l shapes.
    shapes = {name[len("base_model.model."):-len(".ia3_l.default")]: p.numel()
              for name, p in peft_model.named_parameters() if p.requires_grad}
    for part in plan["parts"]:
        assert part["adapter_parameters"] == sum(shapes[m] for m in part["adapter_modules"]), part["id"]
    assert sorted(m for part in plan["parts"] for m in part["adapter_modules"]) == sorted(shapes)


@pytest.mark.parametrize("kind", ["llama", "gpt2"])
def test_prompt_tuning_trainable_count_matches_peft(setup, kind):
    from peft import PromptTuningConfig, get_peft_model
    root, models, data = setup
    cfg, _ = _config(root, models[kind], data, f"count-{kind}-prompt", strategy="prompt_tuning",
                     prompt_tuning={"num_virtual_tokens": 12})
    plan = json.loads(run_cli("layers", "--config", cfg, "--json").stdout)
    peft_model = get_peft_model(build(kind, models[kind]),
                                PromptTuningConfig(task_type="CAUSAL_LM", num_virtual_tokens=12))
    assert plan["trainable_parameters"] == peft_model.get_nb_trainable_parameters()[0]
    assert plan["parts"][0]["adapter_parameters"] == plan["trainable_parameters"]


def test_freeze_keeps_frozen_weights_bit_identical(setup):
    root, models, data = setup
    freeze = {"last_blocks": 1, "modules": ["mlp", "norms"], "extra": ["final_norm"],
              "patterns": [r"layers\.0\.self_attn\.q_proj"]}
    cfg, out = _config(root, models["llama"], data, "freeze-run", strategy="freeze", freeze=freeze,
                       max_steps=3, save_steps=2)
    proc = run_cli("train", "--config", cfg)
    base = load_file(str(models["llama"] / "model.safetensors"))
    final = load_file(str(out / "final" / "model.safetensors"))
    checkpoint = load_file(str(out / "checkpoint-2" / "model.safetensors"))
    expected = _reference_count(build("llama", models["llama"]), 2, freeze)
    trainable = set(checkpoint)
    assert sum(t.numel() for t in checkpoint.values()) == expected
    assert f"({expected} parameters)" in proc.stderr, proc.stderr
    assert set(final) == set(base)
    for name, tensor in base.items():
        if name in trainable:
            assert not torch.equal(final[name], tensor.float()), f"{name} did not train"
        else:
            assert torch.equal(final[name], tensor.float()), f"frozen {name} changed"
    # The final folder (and the merged export) load in transformers.
    import transformers
    transformers.AutoModelForCausalLM.from_pretrained(out / "final")
    merged = root / "freeze-merged"
    shutil.rmtree(merged, ignore_errors=True)
    run_cli("export", "--run", out, "--format", "merged", "--out", merged)
    assert load_file(str(merged / "model.safetensors")).keys() == base.keys()


def test_freeze_config_errors_reported_together(setup):
    root, models, data = setup
    cfg, _ = _config(root, models["llama"], data, "freeze-bad", strategy="freeze",
                     freeze={"blocks": [0, 9], "patterns": ["no_such_weight"], "modules": ["mlp"]})
    proc = run_cli("train", "--config", cfg, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "block 9 is out of range" in proc.stderr and "'no_such_weight' matches no parameter" in proc.stderr
    cfg, _ = _config(root, models["llama"], data, "freeze-none", strategy="freeze",
                     freeze={"blocks": [], "modules": ["mlp"]})
    proc = run_cli("train", "--config", cfg, check=False)
    assert proc.returncode == 2 and "nothing trains" in proc.stderr, proc.stderr
    cfg, _ = _config(root, models["llama"], data, "freeze-syntax", strategy="freeze",
                     freeze={"modules": ["mlp", "ffn"], "patterns": ["(unclosed"], "bogus": 1})
    proc = run_cli("train", "--config", cfg, check=False)
    assert proc.returncode == 2, proc.stderr
    for needle in ["unknown part 'ffn'", "not a valid regex", "freeze.bogus: unknown setting"]:
        assert needle in proc.stderr, proc.stderr


def _progressive(root, models, data, name, **extra):
    # 32 rows, batch 8: 4 steps per epoch; block 1 (+ lm_head) from the start, block 0 joins
    # after the first epoch at half the lr.
    return _config(root, models["llama"], data, name, strategy="progressive", max_steps=8,
                   lr_scheduler_type="cosine", warmup_steps=1, weight_decay=0.01,
                   progressive={"initial_blocks": 1, "extra": ["lm_head"],
                                "stages": [{"at_epoch": 1, "blocks": 1, "lr_factor": 0.5}]},
                   **extra)


def test_progressive_stage_joins_and_resume_continues_the_curve(setup):
    root, models, data = setup
    cfg, out = _progressive(root, models, data, "progressive", save_steps=3)
    plan = json.loads(run_cli("layers", "--config", cfg, "--json").stdout)
    stage0, stage1 = plan["stage_trainable_parameters"]
    proc = run_cli("train", "--config", cfg)
    steps, _ = _metrics(out)
    assert [m["step"] for m in steps] == list(range(1, 9))
    assert [m["trainable_parameters"] for m in steps] == [stage0] * 4 + [stage1] * 4
    assert "step 4: stage 1 joins: blocks 0" in proc.stderr, proc.stderr
    # Block 0 did not move before it joined, and did after.
    base = load_file(str(models["llama"] / "model.safetensors"))
    early = load_file(str(out / "checkpoint-3" / "model.safetensors"))
    assert not any(k.startswith("model.layers.0.") for k in early)
    late = load_file(str(out / "checkpoint-6" / "model.safetensors"))
    assert not torch.equal(late["model.layers.0.mlp.up_proj.weight"],
                           base["model.layers.0.mlp.up_proj.weight"].float())
    # Resume from before the stage change (checkpoint-3) and after it (checkpoint-6).
    for keep in (3, 6):
        resumed = root / f"progressive-resume-{keep}"
        shutil.rmtree(resumed, ignore_errors=True)
        shutil.copytree(out, resumed)
        shutil.rmtree(resumed / "final")
        for c in resumed.glob("checkpoint-*"):
            if int(c.name.split("-")[1]) > keep:
                shutil.rmtree(c)
        run_cli("train", "--config", cfg, "--resume", resumed)
        again, _ = _metrics(resumed)
        assert [m["step"] for m in again] == list(range(1, 9))
        for a, b in zip(steps, again):
            assert abs(a["loss"] - b["loss"]) <= 1e-6, (keep, a, b)
            assert a["trainable_parameters"] == b["trainable_parameters"]
        fa = load_file(str(out / "final" / "model.safetensors"))
        fb = load_file(str(resumed / "final" / "model.safetensors"))
        for k in fa:
            assert torch.allclose(fa[k], fb[k], atol=1e-6), (keep, k)


def test_progressive_fraction_trigger(setup):
    root, models, data = setup
    cfg, out = _config(root, models["llama"], data, "progressive-fraction", strategy="progressive",
                       max_steps=8, progressive={"initial_blocks": 1,
                                                 "stages": [{"at_fraction": 0.25, "blocks": 1}]})
    run_cli("train", "--config", cfg)
    steps, _ = _metrics(out)
    counts = [m["trainable_parameters"] for m in steps]
    assert counts[:2] == [counts[0]] * 2 and counts[2:] == [counts[2]] * 6 and counts[2] > counts[0]


def test_eval_loss_matches_transformers(setup):
    root, models, data = setup
    cfg, out = _config(root, models["llama"], data, "eval", strategy="full", val_size=0.25,
                       eval_steps=2, max_steps=5, per_device_train_batch_size=4)
    proc = run_cli("train", "--config", cfg)
    _, evals = _metrics(out)
    assert [e["step"] for e in evals] == [2, 4, 5]  # every 2 steps and at the end
    # ceil(0.25 * 32) = 8 rows held out; rows too long for cutoff_len are skipped in both parts.
    held = [json.loads(line) for line in (out / "validation_set.jsonl").read_text().splitlines()]
    found = re.search(r"(\d+) of 32 rows skipped", proc.stderr)
    skipped = int(found.group(1)) if found else 0
    assert 8 - skipped <= len(held) <= 8 and len({h["row"] for h in held}) == len(held)
    assert f"{32 - skipped - len(held)} examples (+{len(held)} held out for evaluation)" in proc.stderr
    import transformers
    model = transformers.AutoModelForCausalLM.from_pretrained(out / "final").float().eval()
    total, tokens = 0.0, 0
    with torch.no_grad():
        for h in held:
            labels = torch.tensor([h["labels"]])
            n = int((labels[:, 1:] != -100).sum())
            loss = model(input_ids=torch.tensor([h["input_ids"]]), labels=labels).loss.item()
            total += loss * n
            tokens += n
    assert evals[-1]["eval_tokens"] == tokens
    assert abs(evals[-1]["eval_loss"] - total / tokens) < 1e-4, (evals[-1], total / tokens)
    assert abs(evals[-1]["eval_perplexity"] - math.exp(total / tokens)) < 1e-3 * math.exp(total / tokens)


def test_early_stopping_stops(setup):
    root, models, data = setup
    # A threshold no evaluation can beat: after the first eval, none counts as an improvement.
    cfg, out = _config(root, models["llama"], data, "early", strategy="freeze", val_size=8,
                       eval_steps=1, max_steps=20, early_stopping_patience=2,
                       early_stopping_threshold=10.0, per_device_train_batch_size=4)
    proc = run_cli("train", "--config", cfg)
    steps, evals = _metrics(out)
    assert [m["step"] for m in steps] == [1, 2, 3]
    assert [e["step"] for e in evals] == [1, 2, 3]
    assert "early stopping at step 3" in proc.stderr, proc.stderr
    assert (out / "checkpoint-3" / "trainer_state.json").exists()
    assert (out / "final" / "model.safetensors").exists()
