#!/usr/bin/env python3
"""Issue 17's experiment: the same commit built against two LibTorches (A: Debian's 1.13 with
OpenBLAS in build/, B: the torch wheel's in build-wheel/, docs/gpu.md), side by side on this
machine in one run: ft-bench-matmul's fp32 GEMM rate and `finetune-cli train` speed on the same
run configuration (LoRA q+v on SmolLM2-135M, alpaca rows), the two builds interleaved A B A B.

Usage: python bench/bench_torch_ab.py [--a build] [--b build-wheel] [--rows 16] [--cutoff 512]
           [--repeat 2] [--threads N] [--variants lora-qv] [--out FILE.json]
Prints each run, the medians, B/A ratios and the load average before and after.
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench_train  # noqa: E402
from bench_generate import REPO, default_model  # noqa: E402


def load():
    return pathlib.Path("/proc/loadavg").read_text().split()[:3]


# ft-bench-matmul's training shapes and timing (best of 10 after a warm-up), for torch in Python.
PYTHON_MATMUL = """
import json, sys, time, torch
torch.set_num_threads(int(sys.argv[1]))
best = 0.0
with torch.no_grad():
    for m, k, n in [(2048, 576, 1536), (2048, 1536, 576), (2048, 576, 576), (1024, 1024, 1024)]:
        a, b = torch.randn(m, k), torch.randn(k, n)
        torch.matmul(a, b)
        fastest = 1e30
        for _ in range(10):
            t0 = time.perf_counter()
            torch.matmul(a, b)
            fastest = min(fastest, time.perf_counter() - t0)
        best = max(best, 2.0 * m * k * n / fastest / 1e9)
print(json.dumps({"best_gflops": best, "torch": torch.__version__}))
"""


def matmul(build, threads):
    """ft-bench-matmul of `build`; where that build lacks it (build-wheel still compiling), the
    same shapes through the venv's torch in Python: the same libtorch_cpu GEMM as build-wheel's."""
    program = build / "bench/ft-bench-matmul"
    cmd = ([program, str(threads)] if program.exists()
           else [sys.executable, "-c", PYTHON_MATMUL, str(threads)])
    out = subprocess.run(cmd, check=True, capture_output=True, text=True,
                         env=dict(os.environ, OMP_NUM_THREADS=str(threads))).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["via"] = "ft-bench-matmul" if program.exists() else "python torch " + result["torch"]
    return result


def train(build, model, data, variant, cutoff, threads, work, tag):
    bench_train.CLI = build / "app/finetune-cli"
    run = bench_train.bench_engine(model, data, variant, cutoff, threads, work / tag, False)
    return run


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--a", default=str(REPO / "build"))
    p.add_argument("--b", default=str(REPO / "build-wheel"))
    p.add_argument("--rows", type=int, default=16)
    p.add_argument("--cutoff", type=int, default=512)
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--variants", default="lora-qv")
    p.add_argument("--out")
    a = p.parse_args()
    builds = {"A": pathlib.Path(a.a).resolve(), "B": pathlib.Path(a.b).resolve()}
    work = builds["A"] / "bench-torch-ab"
    work.mkdir(parents=True, exist_ok=True)
    model = work / "smollm2-135m"
    if not (model / "config.json").exists():
        subprocess.run([builds["A"] / "app/finetune-cli", "convert", "--model", default_model(),
                        "--out", model], check=True)
    rows = json.loads(bench_train.FIXTURE_ROWS.read_text())[: a.rows]
    data = work / "rows.json"
    data.write_text(json.dumps(rows))
    bench_train.CLI = builds["A"] / "app/finetune-cli"
    trained = bench_train.loss_tokens(bench_train.tokenise_rows(model, rows, a.cutoff, work))
    report = {"load_before": load(), "threads": a.threads, "rows": len(rows), "cutoff": a.cutoff,
              "loss_tokens": trained, "builds": {k: str(v) for k, v in builds.items()},
              "matmul": {"A": [], "B": []}, "train": {}}
    for _ in range(a.repeat):
        for side in ("A", "B"):
            m = matmul(builds[side], a.threads)
            report["matmul"][side].append(m["best_gflops"])
            print(f"matmul {side}: {m['best_gflops']:.1f} GFLOP/s (best shape, {m['via']})",
                  flush=True)
    if not (builds["B"] / "app/finetune-cli").exists():
        print(f"no {builds['B']}/app/finetune-cli: training not compared")
        a.variants = ""
    for variant in filter(None, a.variants.split(",")):
        runs = {"A": [], "B": []}
        for i in range(a.repeat):
            for side in ("A", "B"):
                (work / side).mkdir(exist_ok=True)
                r = train(builds[side], model, data, variant, a.cutoff, a.threads, work, side)
                r["loss_tokens_per_second"] = trained / r["train_seconds"]
                runs[side].append(r)
                print(f"train {variant} {side} run {i + 1}: {r['loss_tokens_per_second']:.1f} tok/s, "
                      f"{r['train_seconds']:.1f} s, mean loss {r['mean_loss']:.4f}, "
                      f"peak RSS {r['peak_rss'] / 2**20:.0f} MiB", flush=True)
        report["train"][variant] = runs
    report["load_after"] = load()

    def median(values):
        v = sorted(values)
        return v[(len(v) - 1) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2

    mA, mB = median(report["matmul"]["A"]), median(report["matmul"]["B"])
    print(f"matmul median: A {mA:.1f}, B {mB:.1f} GFLOP/s, B/A x{mB / mA:.2f}")
    for variant, runs in report["train"].items():
        tA = median([r["loss_tokens_per_second"] for r in runs["A"]])
        tB = median([r["loss_tokens_per_second"] for r in runs["B"]])
        print(f"train {variant} median: A {tA:.1f}, B {tB:.1f} tok/s, B/A x{tB / tA:.2f}")
    print(f"load average before {' '.join(report['load_before'])}, after "
          f"{' '.join(report['load_after'])}")
    if a.out:
        pathlib.Path(a.out).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
