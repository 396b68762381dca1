"""A project dataset under stress and in use: kill -9 during an import leaves the project as it
was (SQLite WAL rollback), and a LoRA run trains from "data": "P.ftproj#name"."""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import time

import pytest

from conftest import cli_json, cli_path, run_cli


@pytest.fixture(scope="module")
def root(work_dir):
    path = work_dir / "data_project"
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def test_kill_during_import_leaves_previous_state(root):
    project = root / "kill.ftproj"
    small = root / "small.jsonl"
    small.write_text("".join(json.dumps({"instruction": f"q{i}", "output": "a"}) + "\n" for i in range(10)))
    cli_json("data", "import", small, "--project", project)
    big = root / "big.jsonl"
    with big.open("w") as f:
        for i in range(250000):
            f.write(json.dumps({"instruction": f"question {i} " + "x" * 100, "input": "", "output": "y" * 100}) + "\n")
    proc = subprocess.Popen([cli_path(), "data", "import", str(big), "--project", str(project)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wal = pathlib.Path(str(project) + "-wal")
    deadline = time.time() + 60
    while not (wal.exists() and wal.stat().st_size > 4 << 20):  # rows are being written
        assert proc.poll() is None, "the import ended before it could be killed"
        assert time.time() < deadline
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    listed = cli_json("data", "list", "--project", project)
    assert [(d["name"], d["rows"]) for d in listed] == [("small", 10)]
    # And the project still takes writes.
    [res] = cli_json("data", "import", small, "--project", project, "--name", "small2", "--allow-duplicate")
    assert res["rows"] == 10 and res["duplicate_of"] == "small"


def _tokenizer(folder, texts):
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=384, special_tokens=["<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(texts, trainer)
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"bos_token": "<s>", "eos_token": "</s>", "tokenizer_class": "PreTrainedTokenizerFast"}))


def test_training_reads_a_project_dataset(root, fixtures_dir):
    from tiny_models import build
    src = fixtures_dir / "datasets" / "alpaca_en_demo.json"
    project = root / "train.ftproj"
    cli_json("data", "import", src, "--project", project)
    model = root / "tiny-llama"
    build("llama", model)
    rows = json.loads(src.read_text())[:64]
    _tokenizer(model, [r["instruction"] + "\n" + r["input"] + "\n" + r["output"] for r in rows])
    out = root / "run"
    cfg = {"model": str(model), "data": f"{project}#alpaca_en_demo", "output_dir": str(out),
           "strategy": "lora", "template": "plain", "cutoff_len": 64, "max_steps": 2,
           "logging_steps": 1, "save_steps": 0, "per_device_train_batch_size": 2,
           "learning_rate": 1e-3, "lora": {"r": 4, "lora_alpha": 8, "lora_dropout": 0.0}}
    path = root / "run.json"
    path.write_text(json.dumps(cfg))
    run_cli("train", "--config", path, timeout=300)
    metrics = [json.loads(l) for l in (out / "metrics.jsonl").read_text().splitlines() if l]
    assert [m["step"] for m in metrics] == [1, 2]
    assert all(m["loss"] > 0 for m in metrics)
    # A dataset the project does not have is a configuration problem (exit 2) naming it.
    cfg["data"] = f"{project}#nope"
    path.write_text(json.dumps(cfg))
    proc = run_cli("train", "--config", path, check=False)
    assert proc.returncode == 2 and "nope" in proc.stderr, proc.stderr
