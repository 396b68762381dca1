"""Stages "dpo" and "orpo" (preference pairs) against TRL 1.16: one LoRA run of two steps on a tiny
random Llama equals trl.DPOTrainer / trl.experimental.orpo.ORPOTrainer with peft on the same pairs
and hyper-parameters (fp32, no dropout, same initial adapter): the loss, the chosen and rejected
rewards and log-probs of each step and the LoRA weights after the steps, within 1e-5. The engine's
initial LoRA A is read from a one-step run (with B = 0 the first step leaves A untouched, as in
peft) and given to peft. The adapter the engine writes loads in peft. A project dataset of
LLaMA-Factory ranking rows trains; a resumed run continues the same curve. Bad input: a missing
side, ties and identical answers, configurations DPO cannot train."""
import json
import shutil

import pytest
import torch
from safetensors.torch import load_file

from conftest import run_cli
from tiny_models import build, byte_bpe_tokenizer

CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
          "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}"
          "{{ '<|im_start|>assistant\\n' }}{% endif %}")
CUTOFF = 64
PAIRS = [
    ("What lowers a fever?", "Paracetamol or ibuprofen lowers a fever; drink enough water.",
     "A fever cannot be lowered."),
    ("Name a source of vitamin C.", "Oranges, kiwis and peppers are rich in vitamin C.",
     "Bread."),
    ("How long should hands be washed?",
     "Wash hands with soap for at least twenty seconds, then rinse and dry them well with a clean "
     "towel, paying attention to the thumbs, the fingertips and the skin between the fingers.",
     "One second is enough."),
    ("What does insulin do?", "Insulin lowers blood glucose by moving it into the cells.",
     "Insulin raises the heart rate and makes the blood thicker than it was before."),
]
LORA = {"r": 4, "lora_alpha": 8, "lora_dropout": 0.0, "target_modules": ["q_proj", "v_proj"]}
HYPER = dict(learning_rate=1e-2, per_device_train_batch_size=4, gradient_accumulation_steps=1,
             warmup_steps=0, lr_scheduler_type="constant", weight_decay=0.0, max_grad_norm=1.0,
             beta=0.1)


def _row(prompt, chosen, rejected):
    return {"prompt": [{"role": "user", "content": prompt}],
            "chosen": [{"role": "assistant", "content": chosen}],
            "rejected": [{"role": "assistant", "content": rejected}]}


@pytest.fixture(scope="module")
def setup(work_dir):
    root = work_dir / "train_preference"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    model = root / "tiny-llama"
    build("llama", model)
    texts = [f"<|im_start|>user\n{p}<|im_end|>\n<|im_start|>assistant\n{c} {r}" for p, c, r in PAIRS]
    byte_bpe_tokenizer(model, texts * 4, chat_template=CHATML)
    data = root / "pairs.jsonl"
    data.write_text("".join(json.dumps(_row(*p)) + "\n" for p in PAIRS))
    return root, model, data


def _train(root, model, data, name, stage, steps=None, check=True, **overrides):
    out = root / name
    shutil.rmtree(out, ignore_errors=True)
    cfg = {"model": str(model), "data": str(data), "output_dir": str(out), "stage": stage,
           "strategy": "lora", "lora": LORA, "template": "model", "cutoff_len": CUTOFF,
           "logging_steps": 1, "save_steps": 0, "max_steps": steps or 1, "seed": 42, **HYPER}
    cfg.update(overrides)
    path = root / f"{name}.json"
    path.write_text(json.dumps(cfg))
    proc = run_cli("train", "--config", path, check=check, timeout=300)
    return out, proc


def _metrics(out):
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()
            if line and "loss" in json.loads(line)]


def _peft_model(model_dir, initial_adapter):
    """peft's LoRA over the tiny model with the engine's initial A (B = 0)."""
    from peft import LoraConfig, get_peft_model
    model = build("llama", model_dir)
    config = LoraConfig(r=LORA["r"], lora_alpha=LORA["lora_alpha"], lora_dropout=0.0,
                        target_modules=LORA["target_modules"], task_type="CAUSAL_LM")
    peft_model = get_peft_model(model, config)
    initial = load_file(str(initial_adapter / "adapter_model.safetensors"))
    state = peft_model.state_dict()
    loaded = 0
    for name, tensor in initial.items():
        key = name.replace(".weight", ".default.weight")
        assert key in state, key
        if "lora_A" in name:  # the first step leaves A where it started (its gradient is 0)
            state[key].copy_(tensor)
            loaded += 1
        else:  # B starts at 0 on both sides
            assert torch.count_nonzero(state[key]) == 0
    assert loaded == 4
    return peft_model


class _Recording:
    """Mixin: the loss of every compute_loss call, unrounded."""
    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        loss = super().compute_loss(model, inputs, return_outputs, num_items_in_batch)
        self.losses.append((loss[0] if isinstance(loss, tuple) else loss).item())
        return loss


def _reference(stage, root, model_dir, initial_adapter, steps):
    import datasets
    import transformers
    tokenizer = transformers.AutoTokenizer.from_pretrained(str(model_dir))
    tokenizer.pad_token = tokenizer.eos_token
    peft_model = _peft_model(model_dir, initial_adapter)
    rows = datasets.Dataset.from_list([_row(*p) for p in PAIRS])
    common = dict(output_dir=str(root / f"trl-{stage}"), max_steps=steps, logging_steps=1,
                  save_strategy="no", report_to=[], seed=42, use_cpu=True, optim="adamw_torch", bf16=False,
                  max_length=CUTOFF, **HYPER)
    if stage == "dpo":
        from trl import DPOConfig, DPOTrainer
        base, config = DPOTrainer, DPOConfig(**common)
    else:
        from trl.experimental.orpo import ORPOConfig, ORPOTrainer
        base, config = ORPOTrainer, ORPOConfig(**common)
    trainer_class = type("Recording" + base.__name__, (_Recording, base), {})
    trainer = trainer_class(model=peft_model, args=config, train_dataset=rows,
                            processing_class=tokenizer)
    trainer.losses = []
    trainer.train()
    logs = [entry for entry in trainer.state.log_history if "rewards/chosen" in entry]
    weights = {name.replace(".default", ""): p.detach().clone()
               for name, p in peft_model.named_parameters() if ".default." in name}
    return trainer.losses, logs, weights


@pytest.mark.parametrize("stage", ["dpo", "orpo"])
def test_two_steps_equal_trl(setup, stage):
    root, model, data = setup
    one, _ = _train(root, model, data, f"{stage}-one", stage, 1)
    two, proc = _train(root, model, data, f"{stage}-two", stage, 2)
    assert "4 preference pairs" in proc.stderr, proc.stderr
    losses, logs, weights = _reference(stage, root, model, one / "final", 2)
    engine = _metrics(two)
    assert len(engine) == 2 and len(logs) == 2 and len(losses) == 2, (engine, logs, losses)
    names = ["rewards/chosen", "rewards/rejected", "rewards/margins", "rewards/accuracies",
             "logps/chosen", "logps/rejected"]
    if stage == "orpo":
        names += ["nll_loss", "log_odds_ratio", "log_odds_chosen"]
    for step in range(2):
        assert abs(engine[step]["loss"] - losses[step]) < 1e-5, (step, engine[step], losses)
        for name in names:
            # DPO's first step: policy = reference up to float rounding (the engine's LoRA path is
            # another GEMM than the base's), so "chosen > rejected" is a coin toss on ~1e-7.
            if stage == "dpo" and step == 0 and name == "rewards/accuracies":
                continue
            # Within 1e-5, relative for the summed log-probs (float32 spacing at 130 is 1.5e-5).
            tolerance = 1e-5 * max(1.0, abs(logs[step][name]))
            assert abs(engine[step][name] - logs[step][name]) < tolerance, (step, name, engine[step],
                                                                            logs[step])
    if stage == "dpo":  # the first step's policy is the reference
        assert abs(engine[0]["rewards/chosen"]) < 1e-5 and abs(engine[1]["rewards/margins"]) > 1e-2
    trained = load_file(str(two / "final" / "adapter_model.safetensors"))
    assert len(trained) == len(weights) == 8
    for name, tensor in trained.items():
        diff = (tensor - weights[name]).abs().max().item()
        assert diff < 1e-5, (name, diff)
    # The adapter loads in peft.
    from peft import PeftModel
    loaded = PeftModel.from_pretrained(build("llama", model), str(two / "final"))
    for name, p in loaded.named_parameters():
        if "lora_" in name:
            assert torch.allclose(p, weights[name.replace(".default", "")], atol=1e-5), name


def test_ties_and_identical_answers_are_counted_and_skipped(setup):
    root, model, _ = setup
    rows = [_row(*p) for p in PAIRS]
    rows.append(_row("Same?", "Yes.", "Yes."))
    rows.append({**_row("Tied?", "One.", "Two."), "score_chosen": 5, "score_rejected": 5})
    rows.append({"instruction": "Alpaca layout", "chosen": "Good.", "rejected": "Bad."})
    data = root / "mixed-pairs.json"
    data.write_text(json.dumps(rows))
    out, proc = _train(root, model, data, "mixed", "orpo", 1, per_device_train_batch_size=5)
    assert "2 pairs left out: 1 ties, 1 with identical chosen and rejected answers" in proc.stderr
    assert "5 preference pairs" in proc.stderr, proc.stderr


def test_bad_input(setup):
    root, model, data = setup
    missing = root / "missing-side.jsonl"
    missing.write_text(json.dumps(_row(*PAIRS[0])) + "\n" +
                       json.dumps({"prompt": "Hi", "chosen": "Hello."}) + "\n")
    config = root / "bad.json"

    def bad(mentions, **cfg):
        base = {"model": str(model), "data": str(data), "output_dir": str(root / "bad"),
                "stage": "dpo", "template": "model", "max_steps": 1, "cutoff_len": CUTOFF}
        base.update(cfg)
        config.write_text(json.dumps(base))
        proc = run_cli("train", "--config", config, check=False)
        assert proc.returncode == 2, (proc.returncode, proc.stderr)
        assert proc.stderr.startswith("error: "), proc.stderr
        for word in mentions:
            assert word in proc.stderr, (word, proc.stderr)

    bad(["row 1", "'rejected' is missing"], data=str(missing))
    bad(["strategy", "\"full\"", "reference", "orpo"], strategy="full")
    bad(["max_prompt_length", "TRL 1.16"], max_prompt_length=32)
    bad(["label_smoothing", "robust"], label_smoothing=0.1)
    bad(["beta", "> 0"], beta=0)
    bad(["beta", "preference stages"], stage="sft", beta=0.2)
    bad(["loss_type", "ipo"], loss_type="ipo")
    bad(["prompt alone", "cutoff_len"], cutoff_len=8)


def test_project_dataset_of_ranking_rows_trains(setup, fixtures_dir, tmp_path):
    """LLaMA-Factory's ranking rows (ShareGPT prompt, chosen / rejected replies) imported into a
    project train from "P.ftproj#name": the rejected reply comes from the row's original record."""
    from conftest import cli_json
    root, model, _ = setup
    rows = json.loads((fixtures_dir / "datasets" / "dpo_zh_demo.json").read_text())
    short = [r for r in rows if len(r["conversations"]) == 1
             and len(r["conversations"][0]["value"]) < 40][:4]
    assert len(short) == 4
    source = root / "ranking.json"
    source.write_text(json.dumps(short, ensure_ascii=False))
    project = root / "ranking.ftproj"
    project.unlink(missing_ok=True)
    [imported] = cli_json("data", "import", source, "--project", project)
    assert imported["format"] == "preference", imported
    data = f"{project}#{imported['name']}"
    for stage in ["dpo", "orpo"]:
        out, proc = _train(root, model, data, f"project-{stage}", stage, 1, cutoff_len=256,
                           per_device_train_batch_size=4)
        assert "4 preference pairs" in proc.stderr, proc.stderr
        [line] = _metrics(out)
        assert line["logps/chosen"] < 0 and line["logps/rejected"] < 0, line


def test_resume_continues_the_same_curve(setup):
    root, model, data = setup
    common = dict(max_steps=3, save_steps=1, per_device_train_batch_size=2)
    whole, _ = _train(root, model, data, "resume-whole", "dpo", **common)
    cut, _ = _train(root, model, data, "resume-cut", "dpo", **common)
    for folder in ["final", "checkpoint-2"]:  # as if killed after the first step's checkpoint
        shutil.rmtree(cut / folder)
    run_cli("train", "--resume", cut, timeout=300)
    timing = {"tokens_per_second", "elapsed_seconds", "memory_bytes"}
    curve = [{k: v for k, v in m.items() if k not in timing} for m in _metrics(cut)]
    assert curve == [{k: v for k, v in m.items() if k not in timing} for m in _metrics(whole)]
    assert len(curve) == 3 and curve[2]["rewards/margins"] != 0
