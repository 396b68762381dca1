"""finetune-cli train / export: a LoRA run overfits a small Alpaca set and its adapter loads in
peft; kill -9 + --resume reproduces the uninterrupted loss curve; configuration problems are
reported together (exit 2); bad data rows are skipped and counted."""
import json
import math
import os
import pathlib
import shutil
import signal
import subprocess
import time

import pytest
import torch

from conftest import cli_path, run_cli, train_device
from tiny_models import build


def _tokenizer(folder: pathlib.Path, texts):
    """A byte-level BPE tokenizer (vocab 384, <s> = 0, </s> = 1) trained on `texts`."""
    if (folder / "tokenizer.json").exists():
        return
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=384, special_tokens=["<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tok.train_from_iterator(texts, trainer)
    assert tok.get_vocab_size() <= 384
    tok.save(str(folder / "tokenizer.json"))
    (folder / "tokenizer_config.json").write_text(json.dumps(
        {"bos_token": "<s>", "eos_token": "</s>", "tokenizer_class": "PreTrainedTokenizerFast"}))


@pytest.fixture(scope="module")
def rows(fixtures_dir):
    data = json.loads((fixtures_dir / "datasets" / "alpaca_en_demo.json").read_text())
    return data[:32]


@pytest.fixture(scope="module")
def setup(work_dir, rows):
    root = work_dir / "train"
    root.mkdir(parents=True, exist_ok=True)
    model = root / "tiny-llama"
    build("llama", model)
    # The Alpaca template's fixed text weighs heavily, so that the prompts stay short.
    preamble = ("Below is an instruction that describes a task, paired with an input that provides "
                "further context. Write a response that appropriately completes the request.\n\n"
                "### Instruction:\n### Input:\n### Response:\n")
    _tokenizer(model, [preamble] * 200 +
               [r["instruction"] + "\n" + r["input"] + "\n" + r["output"] for r in rows])
    data = root / "alpaca32.json"
    data.write_text(json.dumps(rows))
    return root, model, data


def _config(root, model, data, name, **overrides):
    out = root / name
    shutil.rmtree(out, ignore_errors=True)
    cfg = {"model": str(model), "data": str(data), "output_dir": str(out), "strategy": "lora",
           "template": "alpaca", "cutoff_len": 128, "logging_steps": 1, "save_steps": 0,
           "per_device_train_batch_size": 8, "gradient_accumulation_steps": 1,
           "lora": {"r": 16, "lora_alpha": 32, "lora_dropout": 0.0, "target_modules": "all-linear"},
           "device": train_device()}
    cfg.update(overrides)
    path = root / f"{name}.json"
    path.write_text(json.dumps(cfg))
    return path, out


def _metrics(out):
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines() if line]


def test_lora_overfits_and_loads_in_peft(setup):
    root, model, data = setup
    # The plain template keeps prompts short, so that 64 tokens leave room for the responses.
    cfg, out = _config(root, model, data, "overfit", learning_rate=1.5e-2, max_steps=160,
                       warmup_steps=5, lr_scheduler_type="cosine", template="plain", cutoff_len=64,
                       lora={"r": 32, "lora_alpha": 64, "lora_dropout": 0.0,
                             "target_modules": "all-linear"})
    start = time.time()
    run_cli("train", "--config", cfg, timeout=300)
    took = time.time() - start
    metrics = _metrics(out)
    assert [m["step"] for m in metrics] == list(range(1, 161))
    final_loss = sum(m["loss"] for m in metrics[-4:]) / 4  # the last epoch (4 batches of 8)
    assert final_loss < 0.1, f"loss after 160 steps: {final_loss} (took {took:.1f} s)"
    assert (out / "final" / "adapter_config.json").exists()

    # The adapter loads in peft; peft's logits equal those of the engine's merged export.
    from peft import PeftModel
    merged = root / "overfit-merged"
    shutil.rmtree(merged, ignore_errors=True)
    run_cli("export", "--run", out, "--format", "merged", "--out", merged)
    assert (merged / "config.json").exists() and (merged / "tokenizer.json").exists()
    peft_model = PeftModel.from_pretrained(build("llama", model), str(out / "final")).eval()
    ids = [0, 5, 77, 300, 12, 9, 140, 2]
    with torch.no_grad():
        ref = peft_model(torch.tensor([ids])).logits[0, -1]
    got = json.loads(run_cli("logits", "--model", merged, "--prompt-ids",
                             ",".join(map(str, ids)), "--json").stdout)["logits"]
    assert torch.allclose(torch.tensor(got), ref, atol=1e-4), (torch.tensor(got) - ref).abs().max()

    peft_out = root / "overfit-peft"
    shutil.rmtree(peft_out, ignore_errors=True)
    run_cli("export", "--run", out, "--format", "peft", "--out", peft_out)
    assert (peft_out / "adapter_model.safetensors").exists()


def test_kill_and_resume_reproduces_the_curve(setup):
    root, model, data = setup
    common = dict(learning_rate=5e-3, max_steps=40, warmup_ratio=0.1, lr_scheduler_type="cosine",
                  per_device_train_batch_size=4, gradient_accumulation_steps=2, save_steps=3,
                  save_total_limit=2, cutoff_len=192, weight_decay=0.01,
                  lora={"r": 8, "lora_alpha": 16, "lora_dropout": 0.05})
    cfg_a, out_a = _config(root, model, data, "straight", **common)
    run_cli("train", "--config", cfg_a, timeout=300)
    cfg_b, out_b = _config(root, model, data, "killed", **common)

    proc = subprocess.Popen([cli_path(), "train", "--config", str(cfg_b)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (out_b / "checkpoint-3").exists():
        assert proc.poll() is None, "the run ended before its first checkpoint"
        assert time.time() < deadline
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (out_b / "final").exists(), "the run finished before it was killed"

    run_cli("train", "--config", cfg_b, "--resume", out_b, timeout=300)
    a, b = _metrics(out_a), _metrics(out_b)
    assert [m["step"] for m in b] == [m["step"] for m in a] == list(range(1, 41))
    for ma, mb in zip(a, b):
        assert abs(ma["loss"] - mb["loss"]) <= 1e-6, (ma, mb)
        assert abs(ma["learning_rate"] - mb["learning_rate"]) <= 1e-12
    checkpoints = sorted(p.name for p in out_b.glob("checkpoint-*"))
    assert checkpoints == ["checkpoint-36", "checkpoint-39"], checkpoints
    # The final adapters agree too.
    from safetensors.torch import load_file
    fa = load_file(str(out_a / "final" / "adapter_model.safetensors"))
    fb = load_file(str(out_b / "final" / "adapter_model.safetensors"))
    assert fa.keys() == fb.keys()
    for k in fa:
        assert torch.allclose(fa[k], fb[k], atol=1e-6), k


def test_logged_loss_is_the_window_mean(setup):
    """logging_steps = k logs, as transformers' Trainer does (tr_loss / steps since the last log),
    the mean of the optimiser steps' losses since the previous log; step_loss is the step's own.
    A resume from a checkpoint inside a window logs the same means."""
    root, model, data = setup
    common = dict(learning_rate=5e-3, max_steps=7, save_steps=4, warmup_steps=1)
    cfg_each, out_each = _config(root, model, data, "log-each", **common)
    run_cli("train", "--config", cfg_each)
    steps = {m["step"]: m["loss"] for m in _metrics(out_each)}
    assert sorted(steps) == list(range(1, 8))
    assert all(m["step_loss"] == m["loss"] and m["logged_steps"] == 1 for m in _metrics(out_each))

    cfg_win, out_win = _config(root, model, data, "log-window", logging_steps=3, **common)
    proc = run_cli("train", "--config", cfg_win)
    logged = _metrics(out_win)
    assert [m["step"] for m in logged] == [3, 6, 7]  # every 3 steps and at the end
    windows = {3: [1, 2, 3], 6: [4, 5, 6], 7: [7]}
    for m in logged:
        want = sum(steps[s] for s in windows[m["step"]]) / len(windows[m["step"]])
        assert abs(m["loss"] - want) <= 1e-6, (m, want)
        assert m["logged_steps"] == len(windows[m["step"]])
        assert abs(m["step_loss"] - steps[m["step"]]) <= 1e-6
    # The window holding step 4 (checkpoint-4) continues exactly after a resume.
    run_cli("train", "--config", cfg_win, "--resume", out_win)
    again = _metrics(out_win)
    assert [m["step"] for m in again] == [3, 6, 7]
    for a, b in zip(logged, again):
        assert abs(a["loss"] - b["loss"]) <= 1e-6, (a, b)
    # The progress line shows the window mean too.
    assert f"loss {logged[-1]['loss']:.4f}" in proc.stderr


def test_cuda_device_refused_without_cuda_auto_falls_back(setup):
    """device "cuda" where this LibTorch has no CUDA (or sees no device): exit 2 naming why,
    before the model loads; "auto" then trains on the CPU. Where CUDA is there, it trains."""
    root, model, data = setup
    cfg, out = _config(root, model, data, "cuda", device="cuda", max_steps=2)
    proc = run_cli("train", "--config", cfg, check=False)
    if proc.returncode == 2:
        assert ("this LibTorch build has no CUDA support" in proc.stderr or
                "LibTorch sees no CUDA device" in proc.stderr), proc.stderr
        assert not out.exists()
        cfg, out = _config(root, model, data, "auto", device="auto", max_steps=1)
        proc = run_cli("train", "--config", cfg)
        env = json.loads((out / "environment.json").read_text())
        assert env["device"] == "cpu" and not (env["cuda_built"] and env["cuda_available"])
        assert env["gpu"] is None, env
        # The log says where auto went and why.
        reason = ("this LibTorch build has no CUDA" if not env["cuda_built"]
                  else "LibTorch sees no CUDA device")
        assert f"device: cpu (auto: {reason})" in proc.stderr, proc.stderr
    else:
        assert proc.returncode == 0, proc.stderr
        env = json.loads((out / "environment.json").read_text())
        assert env["device"] == "cuda" and env["cuda_available"], env
        assert env["gpu"]["name"] and env["gpu"]["memory_bytes"] > 0, env
        assert env["gpu"]["autocast"] in ("bf16", "fp32"), env
        assert "device: cuda (" + env["gpu"]["name"] in proc.stderr, proc.stderr
        assert all(math.isfinite(m["loss"]) for m in _metrics(out))


def test_trainer_restarts_with_malloc_huge_pages(setup):
    """finetune-cli restarts once with glibc malloc's transparent huge pages (fewer page faults
    and TLB misses in a training step, docs/benchmarks.md) where the kernel offers them; a
    user's own glibc.malloc.hugetlb setting is kept."""
    root, model, data = setup
    thp = pathlib.Path("/sys/kernel/mm/transparent_hugepage/enabled")
    offered = thp.exists() and "[never]" not in thp.read_text()
    base_env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    for name, tunables, expected in (("thp-default", None, offered),
                                     ("thp-user-off", "glibc.malloc.hugetlb=0", False),
                                     ("thp-user-other", "glibc.malloc.arena_max=4", offered)):
        cfg, out = _config(root, model, data, name, max_steps=1)
        env = dict(base_env, **({"GLIBC_TUNABLES": tunables} if tunables else {}))
        proc = subprocess.run([cli_path(), "train", "--config", str(cfg)], env=env,
                              capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr
        assert json.loads((out / "environment.json").read_text())["malloc_huge_pages"] is expected, name


def test_gemm_profile_counts_the_runs_gemms(setup):
    """FT_PROFILE_GEMMS=FILE (developers, docs/training.md): the run's oneDNN GEMMs per shape,
    their time within the run's wall time and FLOPs that add up; no file without it."""
    root, model, data = setup
    profile = root / "gemms.tsv"
    cfg, _ = _config(root, model, data, "gemm-profile", max_steps=2)
    env = dict(os.environ, FT_PROFILE_GEMMS=str(profile))
    proc = subprocess.run([cli_path(), "train", "--config", str(cfg)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    lines = profile.read_text().splitlines()
    summary = dict(zip(lines[0].split()[1::2], map(float, lines[0].split()[2::2])))
    assert lines[1].split("\t")[:4] == ["seconds", "calls", "gflop", "gflops"]
    rows = [line.split("\t") for line in lines[2:]]
    assert rows, "no GEMM recorded"
    assert 0 < summary["gemm_s"] <= summary["wall_s"]
    assert abs(sum(float(r[0]) for r in rows) - summary["gemm_s"]) < 1e-3 * summary["gemm_s"] + 1e-6
    for seconds, calls, gflop, _, transposes, m, n, k in rows:
        assert transposes in ("NN", "NT", "TN", "TT") and int(calls) > 0
        assert abs(float(gflop) - 2e-9 * int(m) * int(n) * int(k) * int(calls)) <= 1e-6 * float(gflop) + 1e-9
    assert abs(sum(float(r[2]) for r in rows) - summary["gflop"]) <= 1e-3 * summary["gflop"]
    profile.unlink()
    cfg, _ = _config(root, model, data, "gemm-profile-off", max_steps=1)
    env.pop("FT_PROFILE_GEMMS")
    proc = subprocess.run([cli_path(), "train", "--config", str(cfg)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert not profile.exists()


def test_config_problems_reported_together(setup):
    root, model, data = setup
    cfg, _ = _config(root, model, data, "badcfg", learning_rate=-1, frobnicate=3,
                     lr_scheduler_type="sawtooth",
                     lora={"r": 0, "lora_alpha": 16, "bogus": True})
    proc = run_cli("train", "--config", cfg, check=False)
    assert proc.returncode == 2, proc.stderr
    for needle in ["frobnicate: unknown setting", "learning_rate: must be > 0", "lora.r: must be between 1 and 65536",
                   "lora.bogus: unknown setting", "lr_scheduler_type"]:
        assert needle in proc.stderr, proc.stderr
    # Problems that need the model and the data (checked after loading), also together.
    cfg, _ = _config(root, model, data, "badcfg2", per_device_train_batch_size=64,
                     lora={"target_modules": ["no_such_proj"]})
    proc = run_cli("train", "--config", cfg, check=False)
    assert proc.returncode == 2, proc.stderr
    assert "per_device_train_batch_size: 64 is larger than the data (" in proc.stderr, proc.stderr
    assert "lora.target_modules" in proc.stderr, proc.stderr


def test_bad_rows_are_counted_not_fatal(setup, rows):
    root, model, _ = setup
    lines = [json.dumps(r) for r in rows[:6]]
    lines.insert(1, json.dumps({"instruction": "no output here"}))
    lines.insert(3, json.dumps({"instruction": "x", "output": 5}))
    lines.insert(4, "{not json")
    lines.append(json.dumps({"messages": [{"role": "user", "content": "hi"},
                                          {"role": "assistant", "content": "hello"}]}))
    lines.append(json.dumps({"conversations": [{"from": "human", "value": "hi"},
                                               {"from": "alien", "value": "?"}]}))
    data = root / "mixed.jsonl"
    data.write_text("\n".join(lines) + "\n")
    cfg, out = _config(root, model, data, "badrows", max_steps=2, per_device_train_batch_size=2)
    proc = run_cli("train", "--config", cfg)
    assert "4 of 11 rows skipped" in proc.stderr, proc.stderr
    assert "row 1: field 'output' is missing" in proc.stderr
    assert "row 3: field 'output' must be a string" in proc.stderr
    assert "row 4: not valid JSON" in proc.stderr
    assert "row 10: conversations[1].from: unknown speaker 'alien'" in proc.stderr
    assert len(_metrics(out)) == 2
    assert (out / "final" / "adapter_model.safetensors").exists()


def test_full_finetuning_writes_a_loadable_model(setup):
    root, model, data = setup
    cfg, out = _config(root, model, data, "full", strategy="full", learning_rate=1e-3, max_steps=4,
                       save_steps=2, per_device_train_batch_size=4, template="plain")
    run_cli("train", "--config", cfg)
    assert (out / "checkpoint-2" / "model.safetensors").exists()
    final = out / "final"
    assert (final / "config.json").exists() and (final / "tokenizer.json").exists()
    import transformers
    ref_model = transformers.AutoModelForCausalLM.from_pretrained(final).float().eval()
    base = build("llama", model)
    ids = [0, 5, 77, 300, 12]
    with torch.no_grad():
        ref = ref_model(torch.tensor([ids])).logits[0, -1]
        before = base(torch.tensor([ids])).logits[0, -1]
    assert not torch.allclose(ref, before, atol=1e-4), "full fine-tuning changed nothing"
    got = json.loads(run_cli("logits", "--model", final, "--prompt-ids", ",".join(map(str, ids)),
                             "--json").stdout)["logits"]
    assert torch.allclose(torch.tensor(got), ref, atol=1e-4)
    merged = root / "full-merged"
    shutil.rmtree(merged, ignore_errors=True)
    run_cli("export", "--run", out, "--format", "merged", "--out", merged)
    assert (merged / "model.safetensors").exists()
    proc = run_cli("export", "--run", out, "--format", "peft", "--out", root / "full-peft", check=False)
    assert proc.returncode == 2


def test_full_disk_during_a_checkpoint_keeps_the_previous_one(setup):
    """A write that fails mid-checkpoint (the file-size limit stands in for a full disk) ends
    the run with a message; every checkpoint folder left is complete and resumable, and no
    temporary folder remains."""
    import resource
    root, model, data = setup
    cfg, out = _config(root, model, data, "fulldisk", learning_rate=5e-3, max_steps=400,
                       save_steps=2, per_device_train_batch_size=4, cutoff_len=192)

    def ignore_sigxfsz():
        # Writes past the limit then fail with EFBIG instead of killing the process.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    proc = subprocess.Popen([cli_path(), "train", "--config", str(cfg)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            preexec_fn=ignore_sigxfsz)
    deadline = time.time() + 120
    while not (out / "checkpoint-2").exists():
        assert proc.poll() is None, proc.stderr.read()
        assert time.time() < deadline
        time.sleep(0.005)
    resource.prlimit(proc.pid, resource.RLIMIT_FSIZE, (1024, 1024))
    _, err = proc.communicate(timeout=300)
    assert proc.returncode != 0
    assert "cannot write" in err, err
    assert not (out / "final").exists()
    assert not list(out.glob(".*.tmp")), list(out.glob(".*.tmp"))
    kept = sorted(out.glob("checkpoint-*"), key=lambda p: int(p.name.split("-")[1]))
    assert kept
    for folder in kept:
        state = json.loads((folder / "trainer_state.json").read_text())
        assert state["global_step"] == int(folder.name.split("-")[1])
    # Without the limit, the run resumes from the last checkpoint and finishes.
    resumed = subprocess.run([cli_path(), "train", "--config", str(cfg), "--resume", str(out)],
                             capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr
    assert (out / "final" / "adapter_model.safetensors").exists()

