"""finetune-cli train under torchrun (data parallel over c10d Gloo, on loopback): 2 processes
with a global batch G log the same losses and end with the same weights as 1 process with the
same G (LoRA and full); a rank that dies ends the other with a clear error, no hang; torchrun's
restart resumes from the last checkpoint and ends where an uninterrupted run ends; a checkpoint
of 2 processes resumes in 1."""
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

import pytest
import torch
from safetensors.torch import load_file

from conftest import cli_path, run_cli
from tiny_trainable import make

TORCHRUN = pathlib.Path(sys.executable).parent / "torchrun"


@pytest.fixture(scope="module")
def setup(work_dir, fixtures_dir):
    if not TORCHRUN.exists():
        pytest.skip(f"torchrun not found next to {sys.executable}")
    root = work_dir / "torchrun"
    root.mkdir(parents=True, exist_ok=True)
    model, data = make(root, fixtures_dir / "datasets" / "alpaca_en_demo.json", rows=32)
    return root, model, data


def _config(root, model, data, name, strategy="lora", **overrides):
    """32 rows, 12 held out: 20 train rows in micro-batches of 4, 5 per epoch; a global batch of
    2 micro-batches leaves one for the epoch's last step (the second rank's share is empty), and
    6 steps cross an epoch's end. The validation loss every 3 steps (3 batches: 2 + 1 over the
    ranks)."""
    out = root / name
    shutil.rmtree(out, ignore_errors=True)
    cfg = {"model": str(model), "data": str(data), "output_dir": str(out), "strategy": strategy,
           "template": "alpaca", "cutoff_len": 128, "logging_steps": 1, "save_steps": 0,
           "per_device_train_batch_size": 4, "gradient_accumulation_steps": 2, "max_steps": 6,
           "val_size": 12, "eval_steps": 3,
           "learning_rate": 5e-3 if strategy == "lora" else 1e-3, "warmup_steps": 1,
           "lr_scheduler_type": "cosine", "weight_decay": 0.01, "max_grad_norm": 1.0,
           "lora": {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": "all-linear"}}
    cfg.update(overrides)
    path = root / f"{name}.json"
    path.write_text(json.dumps(cfg))
    return path, out


def _torchrun(cfg, nproc=2, max_restarts=0, env=None, timeout=300, resume=None):
    cmd = [str(TORCHRUN), "--standalone", "--no-python", "--nproc-per-node", str(nproc),
           "--max-restarts", str(max_restarts), cli_path(), "train", "--config", str(cfg)]
    if resume:
        cmd += ["--resume", str(resume)]
    full_env = {k: v for k, v in os.environ.items() if k not in ("FT_TEST_RANK_EXIT", "FT_DIST_TIMEOUT_S")}
    full_env.update(OMP_NUM_THREADS="1", **(env or {}))
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=full_env)
    return proc, time.time() - start


def _metrics(out):
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines() if line]


def _weights(folder):
    tensors = {}
    for f in sorted(folder.glob("*.safetensors")):
        tensors.update(load_file(str(f)))
    assert tensors, f"no safetensors in {folder}"
    return tensors


def _assert_same_run(a, b, loss_tol, weight_tol):
    ea = [m for m in _metrics(a) if "eval_loss" in m]
    eb = [m for m in _metrics(b) if "eval_loss" in m]
    assert [m["step"] for m in ea] == [m["step"] for m in eb] == [3, 6]
    for x, y in zip(ea, eb):
        assert abs(x["eval_loss"] - y["eval_loss"]) <= loss_tol and x["eval_tokens"] == y["eval_tokens"], (x, y)
    ma = [m for m in _metrics(a) if "eval_loss" not in m]
    mb = [m for m in _metrics(b) if "eval_loss" not in m]
    assert [m["step"] for m in ma] == [m["step"] for m in mb] == list(range(1, 7))
    for x, y in zip(ma, mb):
        assert abs(x["loss"] - y["loss"]) <= loss_tol, (x, y)
        assert abs(x["learning_rate"] - y["learning_rate"]) <= 1e-12, (x, y)
    wa, wb = _weights(a / "final"), _weights(b / "final")
    assert wa.keys() == wb.keys()
    for k in wa:
        assert torch.allclose(wa[k], wb[k], atol=weight_tol, rtol=0), (k, (wa[k] - wb[k]).abs().max())


@pytest.fixture(scope="module")
def reference_runs(setup):
    """Per strategy: one process with 2 micro-batches of 4 per step, and 2 processes with one
    each (the same global batch of 8)."""
    root, model, data = setup
    runs = {}
    for strategy in ("lora", "full"):
        cfg1, out1 = _config(root, model, data, f"{strategy}-1proc", strategy)
        run_cli("train", "--config", cfg1, timeout=300)
        cfg2, out2 = _config(root, model, data, f"{strategy}-2proc", strategy,
                             gradient_accumulation_steps=1)
        proc, _ = _torchrun(cfg2)
        assert proc.returncode == 0, proc.stderr[-3000:]
        runs[strategy] = (out1, out2, proc)
    return runs


@pytest.mark.parametrize("strategy", ["lora", "full"])
def test_two_processes_train_like_one(reference_runs, strategy):
    one, two, proc = reference_runs[strategy]
    assert "data parallel: rank 0 of 2" in proc.stderr, proc.stderr[-2000:]
    _assert_same_run(one, two, loss_tol=1e-5, weight_tol=1e-5)
    # Rank 0 alone writes: one metrics line per step, the same files as one process.
    names = lambda d: sorted(str(p.relative_to(d)) for p in d.rglob("*"))  # noqa: E731
    assert names(one) == names(two)
    assert proc.stderr.count("wrote ") == 1, proc.stderr[-2000:]


def test_a_dying_rank_ends_the_other_with_a_clear_error(setup):
    root, model, data = setup
    cfg, out = _config(root, model, data, "rank-dies", gradient_accumulation_steps=1, max_steps=50)
    proc, took = _torchrun(cfg, env={"FT_TEST_RANK_EXIT": "1:2", "FT_DIST_TIMEOUT_S": "30"},
                           timeout=180)
    assert proc.returncode != 0
    assert "FT_TEST_RANK_EXIT: rank 1 exits before step 3" in proc.stderr
    # Rank 0 says what happened (unless torchrun's agent ended it first, which it reports).
    assert ("data parallel: rank 0 of 2" in proc.stderr and "another process stopped" in proc.stderr) \
        or "SIGTERM" in proc.stderr, proc.stderr[-3000:]
    assert took < 120, took
    assert not (out / "final").exists()


def test_a_silent_rank_times_out(setup):
    root, model, data = setup
    cfg, out = _config(root, model, data, "rank-hangs", gradient_accumulation_steps=1, max_steps=50)
    proc, took = _torchrun(cfg, env={"FT_TEST_RANK_EXIT": "1:2:hang", "FT_DIST_TIMEOUT_S": "5"},
                           timeout=180)
    assert proc.returncode != 0
    assert "FT_TEST_RANK_EXIT: rank 1 hangs before step 3" in proc.stderr
    assert "data parallel: rank 0 of 2" in proc.stderr and "within 5 s" in proc.stderr, proc.stderr[-3000:]
    assert took < 90, took


def test_torchrun_restart_resumes_from_the_last_checkpoint(setup):
    """With dropout: each rank's RNG state is checkpointed (by rank 0) and restored."""
    root, model, data = setup
    dropout = {"lora": {"r": 8, "lora_alpha": 16, "lora_dropout": 0.1, "target_modules": "all-linear"}}
    cfg_a, out_a = _config(root, model, data, "uninterrupted", gradient_accumulation_steps=1,
                           save_steps=2, **dropout)
    proc, _ = _torchrun(cfg_a)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (out_a / "checkpoint-2" / "rng_state_rank1.pt").exists()
    cfg, out = _config(root, model, data, "restarted", gradient_accumulation_steps=1, save_steps=2,
                       **dropout)
    proc, _ = _torchrun(cfg, max_restarts=1, env={"FT_TEST_RANK_EXIT": "1:3"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "FT_TEST_RANK_EXIT: rank 1 exits before step 4" in proc.stderr
    assert "torchrun restart 1: resuming from" in proc.stderr and "checkpoint-2" in proc.stderr, \
        proc.stderr[-3000:]
    # As exact as a resume in one process (tests/interop/test_train.py).
    _assert_same_run(out_a, out, loss_tol=1e-6, weight_tol=1e-6)


def test_a_two_process_checkpoint_resumes_in_one(setup, reference_runs):
    root, model, data = setup
    cfg, out = _config(root, model, data, "two-then-one", gradient_accumulation_steps=1, save_steps=2)
    proc, _ = _torchrun(cfg, env={"FT_TEST_RANK_EXIT": "1:3"})
    assert proc.returncode != 0 and (out / "checkpoint-2").exists() and not (out / "final").exists()
    # One process takes both micro-batches of each step: the same global batch.
    resumed = run_cli("train", "--resume", out, timeout=300)
    assert "resuming a run of 2 processes with 1" in resumed.stderr, resumed.stderr[-2000:]
    _assert_same_run(reference_runs["lora"][0], out, loss_tol=1e-5, weight_tol=1e-5)
    # Three processes cannot share a global batch of 2 micro-batches: a clear error, exit 2.
    bad, _ = _torchrun(cfg, nproc=3, resume=out)
    assert bad.returncode != 0 and "cannot share evenly" in bad.stderr, bad.stderr[-2000:]


@pytest.mark.parametrize("strategy", ["lora", "full"])
def test_zero_stage_1_trains_like_stage_0(setup, reference_runs, strategy):
    """ZeRO stage 1: each rank keeps and updates the AdamW state of its share of the parameters,
    then the ranks exchange the updated ones; the losses and weights are those of stage 0 (and
    of one process)."""
    root, model, data = setup
    cfg, out = _config(root, model, data, f"{strategy}-2proc-zero1", strategy,
                       gradient_accumulation_steps=1, zero_stage=1)
    proc, _ = _torchrun(cfg)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "zero_stage 1: each of the 2 processes" in proc.stderr, proc.stderr[-2000:]
    one, two, _ = reference_runs[strategy]
    _assert_same_run(two, out, loss_tol=1e-5, weight_tol=1e-5)
    _assert_same_run(one, out, loss_tol=1e-5, weight_tol=1e-5)


def test_a_zero_stage_1_checkpoint_holds_the_whole_optimizer_state(setup, reference_runs):
    """Rank 0 gathers the other rank's AdamW state into the checkpoint: one process resumes it
    and ends where the uninterrupted one-process run ends (a missing share would restart those
    parameters' moments and drift)."""
    root, model, data = setup
    cfg, out = _config(root, model, data, "zero1-then-one", gradient_accumulation_steps=1, save_steps=2,
                       zero_stage=1)
    proc, _ = _torchrun(cfg, env={"FT_TEST_RANK_EXIT": "1:3"})
    assert proc.returncode != 0 and (out / "checkpoint-2").exists() and not (out / "final").exists()
    resumed = run_cli("train", "--resume", out, timeout=300)
    assert "resuming a run of 2 processes with 1" in resumed.stderr, resumed.stderr[-2000:]
    _assert_same_run(reference_runs["lora"][0], out, loss_tol=1e-5, weight_tol=1e-5)


def test_zero_stage_must_be_0_or_1(setup):
    root, model, data = setup
    cfg, _ = _config(root, model, data, "zero3", zero_stage=3)
    proc = run_cli("train", "--config", cfg, check=False)
    assert proc.returncode == 2 and "zero_stage" in proc.stderr, proc.stderr[-2000:]
