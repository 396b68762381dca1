"""Training runs with the adapter strategies (finetune-cli train / export): IA3 and prompt tuning
lower the loss, their PEFT export loads in peft with the engine's logits (`logits --adapter`),
the base stays bit-identical (--no-adapter equals the plain model), IA3's merged export loads in
transformers with the adapter's logits, prompt tuning refuses a merged export and resumes
exactly; LoRA runs on GPT-2 and Llama export adapters peft loads and merged folders transformers
loads, all with the same logits; adapter config problems are reported together."""
import json
import shutil

import pytest
import torch
import transformers
from peft import PeftModel
from safetensors.torch import load_file

from conftest import expect_bad_input, run_cli, train_device
from test_train import _tokenizer
from tiny_models import build

IDS = [0, 5, 77, 300, 12, 9, 140, 2]


@pytest.fixture(scope="module")
def setup(work_dir, fixtures_dir):
    root = work_dir / "train-adapters"
    root.mkdir(parents=True, exist_ok=True)
    rows = json.loads((fixtures_dir / "datasets" / "alpaca_en_demo.json").read_text())[:32]
    texts = [r["instruction"] + "\n" + r["input"] + "\n" + r["output"] for r in rows]
    models = {}
    for kind in ["llama", "gpt2"]:
        models[kind] = root / f"tiny-{kind}"
        build(kind, models[kind])
        _tokenizer(models[kind], texts)
    data = root / "alpaca32.json"
    data.write_text(json.dumps(rows))
    return root, models, data


def _train(root, model, data, name, strategy, resume=None, **overrides):
    out = root / name
    if resume is None:
        shutil.rmtree(out, ignore_errors=True)
    cfg = {"model": str(model), "data": str(data), "output_dir": str(out), "strategy": strategy,
           "template": "plain", "cutoff_len": 64, "logging_steps": 1, "save_steps": 0,
           "per_device_train_batch_size": 8, "gradient_accumulation_steps": 1,
           "learning_rate": 5e-2, "warmup_steps": 0, "lr_scheduler_type": "constant",
           "max_steps": 16, "device": train_device()}
    cfg.update(overrides)
    path = root / f"{name}.json"
    path.write_text(json.dumps(cfg))
    args = ["train", "--config", path] + (["--resume", out] if resume else [])
    run_cli(*args, timeout=300)
    return out


def _losses(out):
    return [json.loads(line)["loss"] for line in (out / "metrics.jsonl").read_text().splitlines()
            if line]


def _cli_logits(model, *extra):
    proc = run_cli("logits", "--model", model, "--prompt-ids", ",".join(map(str, IDS)),
                   "--all-positions", "--json", *extra)
    return torch.tensor(json.loads(proc.stdout)["logits"]).view(len(IDS), -1)


def _reference_logits(model):
    with torch.no_grad():
        return model(input_ids=torch.tensor([IDS])).logits[0]


def _export(out, fmt, root, name):
    target = root / name
    shutil.rmtree(target, ignore_errors=True)
    run_cli("export", "--run", out, "--format", fmt, "--out", target)
    return target


def _check_exports(root, models, kind, out, name, virtual=0):
    """peft loads the PEFT export with the engine's logits; the base stays bit-identical."""
    model = models[kind]
    peft_dir = _export(out, "peft", root, f"{name}-peft")
    engine = _cli_logits(model, "--adapter", peft_dir)
    loaded = PeftModel.from_pretrained(build(kind, model), str(peft_dir)).eval()
    diff = (engine - _reference_logits(loaded)[virtual:]).abs().max().item()
    assert diff < 1e-4, diff
    base = _cli_logits(model)
    assert torch.equal(_cli_logits(model, "--adapter", peft_dir, "--no-adapter"), base)
    assert not torch.allclose(engine, base, atol=1e-3), "the adapter changed nothing"
    return engine


def _check_merged(root, kind, out, name, engine):
    merged = _export(out, "merged", root, f"{name}-merged")
    reference = transformers.AutoModelForCausalLM.from_pretrained(merged).float().eval()
    diff = (engine - _reference_logits(reference)).abs().max().item()
    assert diff < 1e-4, diff


@pytest.mark.parametrize("kind", ["llama", "gpt2"])
def test_ia3_run(setup, kind):
    root, models, data = setup
    out = _train(root, models[kind], data, f"ia3-{kind}", "ia3")
    losses = _losses(out)
    assert len(losses) == 16
    assert sum(losses[-4:]) < sum(losses[:4]) - 0.1, losses
    saved = load_file(str(out / "final" / "adapter_model.safetensors"))
    assert saved and all(name.endswith(".ia3_l") for name in saved)
    engine = _check_exports(root, models, kind, out, f"ia3-{kind}")
    _check_merged(root, kind, out, f"ia3-{kind}", engine)


@pytest.mark.parametrize("init", ["random", "text"])
def test_prompt_tuning_run(setup, init):
    root, models, data = setup
    options = {"num_virtual_tokens": 8, "init": init}
    if init == "text":
        options["init_text"] = "Below is an instruction. Respond well."
    out = _train(root, models["llama"], data, f"prompt-{init}", "prompt_tuning",
                 prompt_tuning=options, learning_rate=1e-1)
    losses = _losses(out)
    assert sum(losses[-4:]) < sum(losses[:4]) - 0.1, losses
    cfg = json.loads((out / "final" / "adapter_config.json").read_text())
    assert cfg["peft_type"] == "PROMPT_TUNING" and cfg["prompt_tuning_init"] == init.upper()
    _check_exports(root, models, "llama", out, f"prompt-{init}", virtual=8)
    expect_bad_input("export", "--run", out, "--format", "merged", "--out", root / "never",
                     mentions=["prompt-tuning", "cannot be merged", "--format peft"])
    assert not (root / "never").exists()


def test_prompt_tuning_resumes_exactly(setup):
    root, models, data = setup
    common = dict(prompt_tuning={"num_virtual_tokens": 4}, max_steps=6, learning_rate=1e-1,
                  per_device_train_batch_size=4, weight_decay=0.01)
    straight = _train(root, models["llama"], data, "prompt-straight", "prompt_tuning", **common)
    resumed = _train(root, models["llama"], data, "prompt-resumed", "prompt_tuning", save_steps=3,
                     **common)
    shutil.rmtree(resumed / "final")
    assert (resumed / "checkpoint-3" / "adapter_model.safetensors").exists()
    _train(root, models["llama"], data, "prompt-resumed", "prompt_tuning", resume=True,
           save_steps=3, **common)
    a, b = _losses(straight), _losses(resumed)
    assert len(a) == len(b) == 6
    assert all(abs(x - y) <= 1e-6 for x, y in zip(a, b)), (a, b)
    fa = load_file(str(straight / "final" / "adapter_model.safetensors"))
    fb = load_file(str(resumed / "final" / "adapter_model.safetensors"))
    assert torch.allclose(fa["prompt_embeddings"], fb["prompt_embeddings"], atol=1e-6)


@pytest.mark.parametrize("kind", ["llama", "gpt2"])
def test_lora_run_exports(setup, kind):
    root, models, data = setup
    out = _train(root, models[kind], data, f"lora-{kind}", "lora", max_steps=8,
                 learning_rate=1e-2,
                 lora={"r": 4, "lora_alpha": 8, "lora_dropout": 0.0, "target_modules": "all-linear"})
    engine = _check_exports(root, models, kind, out, f"lora-{kind}")
    _check_merged(root, kind, out, f"lora-{kind}", engine)


@pytest.mark.parametrize("kind", ["llama", "gpt2"])
def test_dora_run_exports(setup, kind):
    """DoRA (use_dora) trains (with lora_dropout, so that DoRA's dropout branch runs), lowers the
    loss, and its adapter loads in peft and merges as peft's merge_and_unload."""
    root, models, data = setup
    out = _train(root, models[kind], data, f"dora-{kind}", "lora", max_steps=8,
                 learning_rate=1e-2,
                 lora={"r": 4, "lora_alpha": 8, "lora_dropout": 0.1, "target_modules": "all-linear",
                       "use_dora": True})
    losses = _losses(out)
    assert losses[-1] < losses[0], losses
    saved = load_file(str(out / "final" / "adapter_model.safetensors"))
    assert any(k.endswith(".lora_magnitude_vector") for k in saved), sorted(saved)
    assert json.loads((out / "final" / "adapter_config.json").read_text())["use_dora"] is True
    engine = _check_exports(root, models, kind, out, f"dora-{kind}")
    _check_merged(root, kind, out, f"dora-{kind}", engine)


def test_adapter_config_problems_reported_together(setup):
    root, models, data = setup
    path = root / "bad-adapters.json"
    path.write_text(json.dumps({
        "model": str(models["llama"]), "data": str(data), "output_dir": str(root / "bad"),
        "strategy": "prompt_tuning",
        "prompt_tuning": {"num_virtual_tokens": 0, "init": "vocab", "colour": 1},
        "ia3": {"target_modules": ["k_proj"], "feedforward_modules": 3}}))
    proc = run_cli("train", "--config", path, check=False)
    assert proc.returncode == 2, proc.stderr
    for needle in ["prompt_tuning.num_virtual_tokens: must be between 1 and 65536", "prompt_tuning.init: must be",
                   "prompt_tuning.colour: unknown setting", "ia3.feedforward_modules: must be"]:
        assert needle in proc.stderr, proc.stderr
    path.write_text(json.dumps({
        "model": str(models["llama"]), "data": str(data), "output_dir": str(root / "bad"),
        "strategy": "ia3", "ia3": {"target_modules": ["k_proj"], "feedforward_modules": ["down_proj"]}}))
    proc = run_cli("train", "--config", path, check=False)
    assert proc.returncode == 2 and "ia3.feedforward_modules" in proc.stderr, proc.stderr
    assert "subset" in proc.stderr, proc.stderr
    path.write_text(json.dumps({
        "model": str(models["llama"]), "data": str(data), "output_dir": str(root / "bad"),
        "strategy": "ia3", "ia3": {"target_modules": ["no_such_proj"]}}))
    proc = run_cli("train", "--config", path, check=False)
    assert proc.returncode == 2 and "ia3.target_modules" in proc.stderr, proc.stderr
    assert "match no module" in proc.stderr, proc.stderr
