#!/usr/bin/env python3
"""Training attention alone, side by side in one run: the engine's segment attention
(ft-bench-attention, model/segmentattention.cpp) against PyTorch's
scaled_dot_product_attention (is_causal, enable_gqa; its CPU flash-attention kernel) on
SmolLM2-135M's heads (9 query heads over 3 K/V heads of 64), forward + backward, the same
sequence lengths and threads. A row of several sequences runs one SDPA call per sequence
(what transformers' padding-free packing does). Median of the repeats; one JSON line per row.
engine_gemm_s is the engine with FT_ATTENTION_GEMM=1: sequences over 512 tokens through its
block GEMMs instead of the flash kernels (model/flashattention.h), for comparison.

Usage: .venv/bin/python bench/bench_attention.py [--threads 2] [--repeats 5] [--rows 2048 512,512,512,512]
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import time

REPO = pathlib.Path(__file__).resolve().parents[1]


def torch_side(lengths, threads, repeats):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    n = sum(lengths)
    q = torch.randn(1, 9, n, 64, requires_grad=True)
    k = torch.randn(1, 3, n, 64, requires_grad=True)
    v = torch.randn(1, 3, n, 64, requires_grad=True)
    probe = torch.randn(1, 9, n, 64)
    forwards, backwards = [], []
    for rep in range(repeats + 1):
        t0 = time.perf_counter()
        outs, start = [], 0
        for length in lengths:
            part = slice(start, start + length)
            outs.append(F.scaled_dot_product_attention(q[:, :, part], k[:, :, part], v[:, :, part],
                                                       is_causal=True, enable_gqa=True))
            start += length
        out = torch.cat(outs, 2)
        t1 = time.perf_counter()
        out.backward(probe)
        t2 = time.perf_counter()
        if rep:
            forwards.append(t1 - t0)
            backwards.append(t2 - t1)
        q.grad = k.grad = v.grad = None
    return statistics.median(forwards), statistics.median(backwards)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--rows", nargs="+", default=["2048", "512,512,512,512"])
    ap.add_argument("--binary", default=str(REPO / "build/bench/ft-bench-attention"))
    args = ap.parse_args()
    for row in args.rows:
        lengths = [int(x) for x in row.split(",")]
        command = [args.binary, str(args.threads), str(args.repeats), *map(str, lengths)]
        engine = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
        gemm = json.loads(subprocess.run(command, check=True, capture_output=True, text=True,
                                         env={**os.environ, "FT_ATTENTION_GEMM": "1"}).stdout)
        tf, tb = torch_side(lengths, args.threads, args.repeats)
        ours = engine["forward_s"] + engine["backward_s"]
        print(json.dumps({"lengths": lengths, "threads": args.threads,
                          "engine_s": {"forward": round(engine["forward_s"], 4), "backward": round(engine["backward_s"], 4)},
                          "engine_gemm_s": {"forward": round(gemm["forward_s"], 4), "backward": round(gemm["backward_s"], 4)},
                          "torch_sdpa_s": {"forward": round(tf, 4), "backward": round(tb, 4)},
                          "speed": round((tf + tb) / ours, 2)}))


if __name__ == "__main__":
    main()
