"""Stage "pt" (continued pre-training on documents): the documents are tokenized as the tokenizers
library does, EOS after each, laid end to end and cut into cutoff_len rows; each document's piece
of a row is attended on its own. The first step's loss equals transformers' causal-LM loss over
those pieces (token-weighted, within 1e-5); a LoRA pt run lowers the documents' perplexity as
peft measures it; a project dataset of format text trains the same way; bad documents are
counted and named."""
import json
import math
import shutil
import sqlite3

import pytest
import torch

from conftest import cli_json, run_cli
from pt_documents import (CUTOFF, DOCUMENTS, documents_jsonl, packed_pieces, packed_row_count,
                          write_model_and_documents)
from tiny_models import build


@pytest.fixture(scope="module")
def setup(work_dir):
    root = work_dir / "train_pt"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    model, data = write_model_and_documents(root)
    return root, model, data


def _config(root, model, data, name, **overrides):
    out = root / name
    shutil.rmtree(out, ignore_errors=True)
    cfg = {"model": str(model), "data": str(data), "output_dir": str(out), "stage": "pt",
           "strategy": "lora", "cutoff_len": CUTOFF, "logging_steps": 1, "save_steps": 0,
           "per_device_train_batch_size": 4, "gradient_accumulation_steps": 1, "max_steps": 1,
           "learning_rate": 1e-3, "warmup_steps": 0,
           "lora": {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": "all-linear"}}
    cfg.update(overrides)
    path = root / f"{name}.json"
    path.write_text(json.dumps(cfg))
    return path, out


def _refused(cfg, mentions):
    """The run is refused with exit 2 (BadInput) and a message naming every word in `mentions`."""
    proc = run_cli("train", "--config", cfg, check=False)
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    for word in mentions:
        assert word in proc.stderr, (word, proc.stderr)


def _metrics(out):
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines() if line]


def _mean_loss(model, pieces):
    """transformers' causal-LM loss summed over the pieces (each its own sequence), divided by
    the loss tokens of them all: the engine's token-weighted step loss."""
    total, tokens = 0.0, 0
    with torch.no_grad():
        for piece in pieces:
            if len(piece) < 2:
                continue
            ids = torch.tensor([piece])
            out = model(input_ids=ids, labels=ids)
            n = len(piece) - 1
            total += out.loss.item() * n
            tokens += n
    return total / tokens


def test_packed_document_loss_equals_transformers(setup):
    root, model, data = setup
    pieces, stream_tokens = packed_pieces(model, DOCUMENTS, CUTOFF)
    assert stream_tokens > 2 * CUTOFF  # some documents are cut across rows
    rows = packed_row_count(stream_tokens)
    # One micro-batch of every packed row: the first step's loss covers them all.
    cfg, out = _config(root, model, data, "loss", per_device_train_batch_size=rows)
    run_cli("train", "--config", cfg, timeout=300)
    hf = build("llama", model).eval()
    ref = _mean_loss(hf, pieces)
    first = _metrics(out)[0]
    assert first["step"] == 1
    assert first["step_loss"] == pytest.approx(ref, abs=1e-5, rel=0), (first["step_loss"], ref)
    # Attention across documents would give another loss: the boundaries are honoured.
    tok_rows, row = [], []
    for piece in pieces:
        if len(row) + len(piece) > CUTOFF or (row and len(row) == CUTOFF):
            tok_rows.append(row)
            row = []
        row = row + piece
    tok_rows.append(row)
    assert abs(_mean_loss(hf, tok_rows) - first["step_loss"]) > 1e-4


def test_lora_pt_lowers_the_documents_perplexity(setup):
    root, model, data = setup
    cfg, out = _config(root, model, data, "lora", max_steps=30, learning_rate=1e-2,
                       per_device_train_batch_size=2)
    run_cli("train", "--config", cfg, timeout=300)
    assert (out / "final" / "adapter_config.json").exists()
    from peft import PeftModel
    pieces, _ = packed_pieces(model, DOCUMENTS, CUTOFF)
    before = math.exp(_mean_loss(build("llama", model).eval(), pieces))
    tuned = PeftModel.from_pretrained(build("llama", model), str(out / "final")).eval()
    after = math.exp(_mean_loss(tuned, pieces))
    assert after < 0.5 * before, (before, after)


def test_full_strategy_and_validation_split(setup):
    root, model, data = setup
    cfg, out = _config(root, model, data, "full", strategy="full", val_size=2, max_steps=2,
                       per_device_train_batch_size=1, learning_rate=1e-4)
    run_cli("train", "--config", cfg, timeout=300)
    evals = [m for m in _metrics(out) if "eval_loss" in m]
    assert evals and all(math.isfinite(m["eval_loss"]) for m in evals)
    held = [json.loads(l) for l in (out / "validation_set.jsonl").read_text().splitlines()]
    # Two held-out documents, every token labelled (loss on every token), EOS at each end.
    assert len({h["row"] for h in held}) == 2
    assert all(h["labels"] == h["input_ids"] for h in held)


def test_pt_from_a_project_dataset(setup):
    root, model, data = setup
    proj = root / "docs.ftproj"
    if proj.exists():
        proj.unlink()
    info = cli_json("data", "import", data, "--project", proj, "--name", "pt")
    db = sqlite3.connect(proj)
    fmt = db.execute("SELECT format FROM datasets WHERE name = 'pt'").fetchone()[0]
    ids = [r for (r,) in db.execute("SELECT r.id FROM rows r JOIN datasets d ON d.id = r.dataset_id "
                                     "WHERE d.name = 'pt' ORDER BY r.idx")]
    db.close()
    assert fmt == "text", info
    pieces, stream_tokens = packed_pieces(model, DOCUMENTS, CUTOFF)
    cfg, out = _config(root, model, f"{proj}#pt", "project",
                       per_device_train_batch_size=packed_row_count(stream_tokens))
    run_cli("train", "--config", cfg, timeout=300)
    rows = json.loads((out / "data_rows.json").read_text())
    assert rows["train_row_ids"] == ids
    ref = _mean_loss(build("llama", model).eval(), pieces)
    assert _metrics(out)[0]["step_loss"] == pytest.approx(ref, abs=1e-5, rel=0)

    # The same dataset as instructions: refused with a hint to use stage pt.
    cfg, _ = _config(root, model, f"{proj}#pt", "project-sft", stage="sft")
    _refused(cfg, mentions=["document", '"pt"'])


def test_bad_documents_are_counted_and_named(setup):
    root, model, _ = setup
    data = root / "bad.jsonl"
    data.write_text(json.dumps({"text": ""}) + "\n" + json.dumps({"title": "no text"}) + "\n" +
                    documents_jsonl(DOCUMENTS[:3]))
    cfg, out = _config(root, model, data, "bad", per_device_train_batch_size=1)
    proc = run_cli("train", "--config", cfg, timeout=300)
    assert "row 0: field 'text' is empty" in proc.stderr, proc.stderr
    assert "row 1: field 'text' is missing" in proc.stderr, proc.stderr
    assert "2 of 5 rows skipped" in proc.stderr, proc.stderr

    only_empty = root / "empty.jsonl"
    only_empty.write_text(json.dumps({"text": "  "}) + "\n")
    cfg, _ = _config(root, model, only_empty, "empty")
    _refused(cfg, mentions=["no usable rows", "empty document"])


@pytest.mark.parametrize("stage", ["dpo", "orpo"])
def test_documents_are_not_preference_pairs(setup, stage):
    root, model, data = setup
    cfg, _ = _config(root, model, data, "refused", stage=stage)
    _refused(cfg, mentions=["row 0", "'chosen' is missing", "preference pair"])


def _curve(out):
    """metrics.jsonl without the timing fields (which differ between any two runs)."""
    timing = {"tokens_per_second", "elapsed_seconds", "memory_bytes"}
    return [{k: v for k, v in m.items() if k not in timing} for m in _metrics(out)]


def test_documents_then_instructions_resume_after_kill_between_stages(setup, fixtures_dir):
    import signal
    import subprocess
    import time
    from conftest import cli_path
    root, model, data = setup
    qa = root / "qa.json"
    qa.write_text(json.dumps(json.loads(
        (fixtures_dir / "datasets" / "alpaca_en_demo.json").read_text())[:8]))
    stages = [{"stage": "pt", "data": str(data), "max_steps": 3},
              {"stage": "sft", "data": str(qa), "max_steps": 3, "learning_rate": 5e-3}]

    def staged(name):
        cfg, out = _config(root, model, data, name, stages=stages, save_steps=1, cutoff_len=256,
                           template="plain", per_device_train_batch_size=2)
        settings = json.loads(cfg.read_text())
        del settings["stage"]
        cfg.write_text(json.dumps(settings))
        return cfg, out

    cfg, whole = staged("staged")
    run_cli("train", "--config", cfg, timeout=300)
    assert [m["step"] for m in _metrics(whole / "stage-1-pt")] == [1, 2, 3]
    assert [m["step"] for m in _metrics(whole / "stage-2-sft")] == [1, 2, 3]
    from peft import PeftModel
    PeftModel.from_pretrained(build("llama", model), str(whole / "final"))

    # Stage 2 starts from what stage 1 trained: its first loss is not the base model's.
    alone_cfg, alone = _config(root, model, qa, "sft-alone", stage="sft", cutoff_len=256,
                               template="plain", per_device_train_batch_size=2, max_steps=1,
                               learning_rate=5e-3)
    run_cli("train", "--config", alone_cfg, timeout=300)
    assert abs(_metrics(alone)[0]["step_loss"] - _metrics(whole / "stage-2-sft")[0]["step_loss"]) > 1e-4

    # kill -9 as soon as stage 1 has finished, then --resume: the same curves as the whole run.
    cfg, cut = staged("staged-killed")
    proc = subprocess.Popen([cli_path(), "train", "--config", str(cfg)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 240
    while not (cut / "stage-1-pt" / "stage_weights").exists() and proc.poll() is None:
        assert time.time() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not (cut / "final").exists()
    run_cli("train", "--resume", cut, timeout=300)
    for stage in ("stage-1-pt", "stage-2-sft"):
        assert _curve(cut / stage) == _curve(whole / stage), stage
    assert (cut / "final" / "adapter_model.safetensors").read_bytes() == \
        (whole / "final" / "adapter_model.safetensors").read_bytes()


def test_stages_configuration_problems(setup):
    root, model, data = setup
    cfg, _ = _config(root, model, data, "stages-bad",
                     stages=[{"stage": "dpo", "data": str(data)}, {"stage": "pt"}, {"data": 3}])
    _refused(cfg, mentions=['stages[0].stage: "dpo"', "stages[1].data: missing",
                            "stages[2].data: must be a string", "stage: give each stage"])
