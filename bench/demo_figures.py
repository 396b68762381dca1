#!/usr/bin/env python3
"""The demo's figures (issue 15, docs/demo.md): the demo project as the studio makes it, its
preset LoRA run on SmolLM2-135M-Instruct (wall time on this machine), then greedy answers of the
base and of the tuned model to every test-split question, scored by `finetune-cli eval --task
domain` (exact match after normalisation, token F1, and the paired bootstrap of the difference).

    .venv/bin/python bench/demo_figures.py [--threads N] [--work DIR] [--split test]

Needs a build (build/app/finetune-cli) and the reference venv's SmolLM2 file."""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]


def cli(*args, threads, capture=True):
    command = [os.environ.get("FT_CLI", str(REPO / "build" / "app" / "finetune-cli")),
               "--threads", str(threads), *map(str, args)]
    done = subprocess.run(command, capture_output=capture, text=True)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)}: exit {done.returncode}: {done.stderr if capture else ''}")
    return done.stdout


def answers(model, adapter, rows, threads, use_adapter):
    out = []
    for row in rows:
        args = ["generate", "--model", model, "--chat", "--prompt", row["instruction"],
                "--max-new-tokens", 48, "--json"]
        if adapter:
            args += ["--adapter", adapter] + ([] if use_adapter else ["--no-adapter"])
        out.append(json.loads(cli(*args, threads=threads))["text"].strip())
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--work", default=str(REPO / "build" / "demo-figures"))
    parser.add_argument("--split", default="test")
    args = parser.parse_args()
    work = pathlib.Path(args.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    demo = json.loads(cli("demo", "--project", work / "demo.ftproj", "--json", threads=args.threads))
    if not demo["model"]:
        sys.exit("no bundled model (run scripts/setup-venv.sh)")
    config = dict(demo["train_settings"]["config"], model=demo["model"],
                  data=demo["train_settings"]["data"], output_dir=str(work / "run"))
    (work / "run.json").write_text(json.dumps(config, indent=1))
    start = time.monotonic()
    cli("train", "--config", work / "run.json", threads=args.threads, capture=False)
    train_s = time.monotonic() - start

    rows_file = work / f"{args.split}.jsonl"
    cli("data", "export", "--project", work / "demo.ftproj", "--dataset", "veltra",
        "--split", args.split, "--out", rows_file, threads=args.threads)
    rows = [json.loads(line) for line in rows_file.read_text(encoding="utf-8").splitlines()]
    adapter = str(work / "run" / "final")
    base = answers(demo["model"], adapter, rows, args.threads, use_adapter=False)
    tuned = answers(demo["model"], adapter, rows, args.threads, use_adapter=True)
    predictions = work / "predictions.jsonl"
    with open(predictions, "w", encoding="utf-8") as f:
        for row, b, t in zip(rows, base, tuned):
            f.write(json.dumps({"prediction": t, "base_prediction": b, "reference": row["output"]},
                               ensure_ascii=False) + "\n")
    report = json.loads(cli("eval", "--task", "domain", "--predictions", predictions,
                            "--metrics", "em,f1", "--json", threads=args.threads))
    summary = {"train_rows": demo["split"]["train"], f"{args.split}_rows": len(rows),
               "threads": args.threads, "train_seconds": round(train_s, 1),
               "report": {k: v for k, v in report.items() if k != "rows"}}
    print(json.dumps(summary, indent=1, ensure_ascii=False))
    (work / "figures.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
