#!/usr/bin/env python3
"""DPO with LoRA on CPU, side by side in one run: FineTune Studio's trainer (finetune-cli train,
"stage": "dpo") against TRL's DPOTrainer + peft on the same weights, pairs, hyper-parameters and
threads.

The pairs are rows of LLaMA-Factory's dpo_zh_demo.json (ShareGPT prompt, chosen / rejected
replies) with a prompt short enough that both sides keep every pair at --cutoff (TRL's
max_length), given to both in TRL's conversational layout and rendered with the model's chat
template. Both train --steps optimiser steps of per_device_train_batch_size x accumulation
pairs; pairs/s is the pairs trained over each side's own training time (model loading
excluded), peak RSS the child process's ru_maxrss.

Usage: .venv/bin/python bench/bench_dpo.py [--model PATH] [--pairs 16] [--steps 4]
           [--cutoff 256] [--threads 2] [--out FILE.json]
"""
import argparse
import json
import os
import pathlib
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from bench_generate import BUILD, REPO, as_hf_folder, default_model  # noqa: E402
from bench_train import peak_rss, rss_wrapper, run_measured  # noqa: E402

CLI = BUILD / "app/finetune-cli"
FIXTURE = pathlib.Path(os.environ.get("FT_FIXTURES", REPO.parent / "shared/fixtures")) / "datasets/dpo_zh_demo.json"
HPARAMS = {"learning_rate": 5e-5, "per_device_train_batch_size": 2,
           "gradient_accumulation_steps": 2, "warmup_steps": 0, "lr_scheduler_type": "constant",
           "weight_decay": 0.0, "max_grad_norm": 1.0, "seed": 42, "beta": 0.1}
LORA = {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0, "target_modules": ["q_proj", "v_proj"]}


def pairs(count, max_prompt_chars=200):
    rows = json.loads(FIXTURE.read_text())
    out = []
    for r in rows:
        prompt = [{"role": "user" if m["from"] == "human" else "assistant", "content": m["value"]}
                  for m in r["conversations"]]
        if len(prompt) != 1 or len(prompt[0]["content"]) > max_prompt_chars:
            continue
        out.append({"prompt": prompt,
                    "chosen": [{"role": "assistant", "content": r["chosen"]["value"]}],
                    "rejected": [{"role": "assistant", "content": r["rejected"]["value"]}]})
        if len(out) == count:
            return out
    sys.exit(f"only {len(out)} rows of {FIXTURE.name} have a prompt under {max_prompt_chars} chars")


def bench_engine(model, data, steps, cutoff, threads, work):
    run = work / "engine-dpo"
    config = dict(HPARAMS, model=str(model), data=str(data), output_dir=str(run), stage="dpo",
                  strategy="lora", lora=LORA, template="model", cutoff_len=cutoff,
                  max_steps=steps, logging_steps=1, save_steps=0)
    cfg = work / "engine-dpo.json"
    cfg.write_text(json.dumps(config))
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    _, err, wall = run_measured(rss_wrapper([CLI, "train", "--config", cfg]), env)
    lines = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if x]
    return {"train_seconds": lines[-1]["elapsed_seconds"], "peak_rss": peak_rss(err),
            "wall_seconds": wall, "final_loss": lines[-1]["loss"],
            "rewards_margin": lines[-1]["rewards/margins"]}


def bench_trl(model, data, steps, cutoff, threads):
    cmd = [sys.executable, __file__, "--trl-worker", str(model), str(data), str(steps),
           str(cutoff), str(threads)]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), TOKENIZERS_PARALLELISM="false",
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    out, err, wall = run_measured(rss_wrapper(cmd), env)
    result = json.loads(out.strip().splitlines()[-1])
    result.update(peak_rss=peak_rss(err), wall_seconds=wall)
    return result


def trl_worker(model, data, steps, cutoff, threads):
    import datasets
    import peft
    import torch
    import transformers
    from trl import DPOConfig, DPOTrainer
    torch.set_num_threads(threads)
    rows = [json.loads(x) for x in pathlib.Path(data).read_text().splitlines() if x]
    tokenizer = transformers.AutoTokenizer.from_pretrained(model)
    net = transformers.AutoModelForCausalLM.from_pretrained(model, dtype=torch.float32)
    net = peft.get_peft_model(net, peft.LoraConfig(task_type="CAUSAL_LM", **LORA))
    with tempfile.TemporaryDirectory() as out:
        args = DPOConfig(output_dir=out, use_cpu=True, save_strategy="no", report_to=[],
                         logging_steps=1, max_steps=steps, max_length=cutoff, disable_tqdm=True,
                         dataloader_num_workers=0, optim="adamw_torch", **HPARAMS)
        trainer = DPOTrainer(model=net, args=args, train_dataset=datasets.Dataset.from_list(rows),
                             processing_class=tokenizer)
        kept = len(trainer.train_dataset)
        started = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - started
    logs = [h for h in trainer.state.log_history if "loss" in h]
    print(json.dumps({"train_seconds": seconds, "final_loss": logs[-1]["loss"],
                      "rewards_margin": logs[-1]["rewards/margins"], "pairs_kept": kept}))


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--trl-worker":
        a = sys.argv[2:]
        trl_worker(a[0], a[1], int(a[2]), int(a[3]), int(a[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--pairs", type=int, default=16)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--cutoff", type=int, default=256)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", default=None)
    a = parser.parse_args()
    model = as_hf_folder(a.model or default_model())
    trained = a.steps * HPARAMS["per_device_train_batch_size"] * HPARAMS["gradient_accumulation_steps"]
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(tmp)
        data = work / "pairs.jsonl"
        data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in pairs(a.pairs)))
        engine = bench_engine(model, data, a.steps, a.cutoff, a.threads, work)
        trl = bench_trl(model, data, a.steps, a.cutoff, a.threads)
    for side in (engine, trl):
        side["pairs_per_second"] = trained / side["train_seconds"]
    result = {"model": str(model), "pairs": a.pairs, "steps": a.steps, "pairs_trained": trained,
              "cutoff": a.cutoff, "threads": a.threads, "hparams": HPARAMS, "lora": LORA,
              "engine": engine, "trl": trl,
              "speed_ratio": engine["pairs_per_second"] / trl["pairs_per_second"],
              "memory_ratio": engine["peak_rss"] / trl["peak_rss"]}
    text = json.dumps(result, indent=2)
    print(text)
    if a.out:
        pathlib.Path(a.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
