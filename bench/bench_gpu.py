#!/usr/bin/env python3
"""Fine-tuning on one NVIDIA GPU, side by side in one run: finetune-cli train (device cuda, built
against the torch wheel's LibTorch: scripts/gpu-check.sh) against transformers' Trainer + peft
on the same GPU, weights, rows and hyper-parameters (bf16 autocast on both sides where the GPU
has bf16, fp32 otherwise).

Both sides train one epoch over the same rows, tokenised once by the engine (bench_train.py's
alpaca rows, EOS appended, cut at --cutoff); throughput is the loss-bearing tokens over each
side's training time (loading excluded). Peak VRAM: the process's largest used_memory in
nvidia-smi, polled every 50 ms, the same way for both sides (it includes the CUDA context).

Usage: python bench/bench_gpu.py --cli build-wheel/app/finetune-cli [--models smollm2,llama-1b]
           [--variants lora-all,full] [--rows 64] [--cutoff 512] [--repeat 1]
           [--out gpu-bench.json] [--markdown gpu-bench.md]
llama-1b: a random-weight Llama with TinyLlama-1.1B's shape (2048 wide, 22 blocks, GQA 32/4) and
SmolLM2's tokenizer, written once under build-wheel/bench-models (about 4.5 GB in fp32).
"""
import argparse
import datetime
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import bench_train  # noqa: E402
from bench_generate import REPO, default_model  # noqa: E402

FIXTURE_ROWS = bench_train.FIXTURE_ROWS
LORA_TARGETS = bench_train.LORA_TARGETS
HPARAMS = bench_train.HPARAMS


class VramPeak:
    """The largest used_memory (bytes) nvidia-smi reports for `pid` while the context is open."""

    def __init__(self, pid):
        self.pid, self.peak, self._stop = pid, 0, threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self):
        while not self._stop.is_set():
            out = subprocess.run(["nvidia-smi", "--query-compute-apps=pid,used_memory",
                                  "--format=csv,noheader,nounits"], capture_output=True,
                                 text=True).stdout
            for line in out.splitlines():
                parts = [p.strip() for p in line.split(",")]
                if len(parts) == 2 and parts[0] == str(self.pid) and parts[1].isdigit():
                    self.peak = max(self.peak, int(parts[1]) * 2**20)
            time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run_with_vram(cmd, env):
    started = time.perf_counter()
    proc = subprocess.Popen([str(c) for c in cmd], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    with VramPeak(proc.pid) as vram:
        out, err = proc.communicate()
    if proc.returncode != 0:
        sys.exit(f"{cmd[0]} failed ({proc.returncode}):\n{err[-3000:]}")
    return out, err, time.perf_counter() - started, vram.peak


def llama_1b(work, tokenizer_source):
    """A random-weight Llama of TinyLlama-1.1B's shape with SmolLM2's tokenizer (written once)."""
    out = work / "llama-1b-random"
    if (out / "config.json").exists():
        return out
    import torch
    import transformers
    vocab = json.loads((tokenizer_source / "config.json").read_text())["vocab_size"]
    cfg = transformers.LlamaConfig(vocab_size=vocab, hidden_size=2048, intermediate_size=5632,
                                   num_hidden_layers=22, num_attention_heads=32,
                                   num_key_value_heads=4, max_position_embeddings=2048,
                                   rope_theta=10000.0, tie_word_embeddings=False)
    torch.manual_seed(0)
    model = transformers.AutoModelForCausalLM.from_config(cfg)
    model.save_pretrained(out, safe_serialization=True)
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        if (tokenizer_source / name).exists():
            (out / name).write_text((tokenizer_source / name).read_text())
    return out


def bench_engine(cli, model, data, variant, cutoff, work):
    run = work / f"engine-{model.name}-{variant}"
    config = dict(HPARAMS, model=str(model), data=str(data), output_dir=str(run),
                  cutoff_len=cutoff, logging_steps=1, save_steps=0, template="alpaca",
                  device="cuda")
    if variant == "full":
        config["strategy"] = "full"
    else:
        config["strategy"] = "lora"
        config["lora"] = {"r": 8, "lora_alpha": 16, "lora_dropout": 0.0,
                          "target_modules": LORA_TARGETS[variant]}
    cfg = work / f"{run.name}.json"
    cfg.write_text(json.dumps(config))
    _, err, wall, vram = run_with_vram([cli, "train", "--config", cfg], dict(os.environ))
    env = json.loads((run / "environment.json").read_text())
    lines = [json.loads(x) for x in (run / "metrics.jsonl").read_text().splitlines() if x]
    losses = [x["step_loss"] for x in lines if "step_loss" in x]
    return {"train_seconds": lines[-1]["elapsed_seconds"], "peak_vram": vram, "wall_seconds": wall,
            "mean_loss": sum(losses) / len(losses), "final_loss": losses[-1],
            "steps": len(losses), "autocast": (env.get("gpu") or {}).get("autocast")}


def bench_transformers(model, examples_file, variant, bf16):
    cmd = [sys.executable, __file__, "--hf-worker", model, examples_file, variant,
           "1" if bf16 else "0"]
    env = dict(os.environ, TOKENIZERS_PARALLELISM="false", HF_HUB_OFFLINE="1",
               TRANSFORMERS_OFFLINE="1")
    out, _, wall, vram = run_with_vram(cmd, env)
    result = json.loads(out.strip().splitlines()[-1])
    result.update(peak_vram=vram, wall_seconds=wall)
    return result


def hf_worker(model, examples_file, variant, bf16):
    """In a child process: transformers Trainer (+ peft) on cuda over the pre-tokenised rows."""
    import torch
    import transformers
    examples = json.loads(pathlib.Path(examples_file).read_text())
    net = transformers.AutoModelForCausalLM.from_pretrained(model, dtype=torch.float32)
    if variant != "full":
        import peft
        net = peft.get_peft_model(net, peft.LoraConfig(
            r=8, lora_alpha=16, lora_dropout=0.0, target_modules=LORA_TARGETS[variant],
            task_type="CAUSAL_LM"))
    collator = bench_train.padded_collator(net.config.pad_token_id)

    class Rows(torch.utils.data.Dataset):
        def __len__(self):
            return len(examples)

        def __getitem__(self, i):
            return examples[i]

    hparams = dict(HPARAMS)
    hparams["warmup_steps"] = hparams.pop("warmup_ratio")
    with tempfile.TemporaryDirectory() as out:
        args = transformers.TrainingArguments(
            output_dir=out, bf16=bf16, save_strategy="no", report_to=[], logging_steps=1,
            dataloader_num_workers=0, disable_tqdm=True, remove_unused_columns=False, **hparams)
        trainer = transformers.Trainer(model=net, args=args, train_dataset=Rows(),
                                       data_collator=collator)
        torch.cuda.synchronize()
        started = time.perf_counter()
        trainer.train()
        torch.cuda.synchronize()
        seconds = time.perf_counter() - started
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    print(json.dumps({"train_seconds": seconds, "mean_loss": sum(losses) / len(losses),
                      "final_loss": losses[-1], "steps": len(losses),
                      "torch_peak_allocated": torch.cuda.max_memory_allocated()}))


def markdown(report):
    lines = [f"GPU fine-tuning, {report['date']}, {report['gpu']} (driver {report['driver']}), "
             f"torch {report['torch']}; {report['rows']} alpaca rows, cutoff {report['cutoff']}, "
             f"batch {HPARAMS['per_device_train_batch_size']} x {HPARAMS['gradient_accumulation_steps']}, "
             f"{'bf16 autocast' if report['bf16'] else 'fp32'} (scripts/gpu-check.sh)", "",
             "| model | variant | engine tok/s | transformers tok/s | speed | engine VRAM | "
             "transformers VRAM | VRAM ratio | mean loss engine / transformers |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in report["results"]:
        e, t = r["engine"], r["transformers"]
        lines.append(f"| {r['model']} | {r['variant']} | {e['loss_tokens_per_second']:.0f} | "
                     f"{t['loss_tokens_per_second']:.0f} | x{r['speed_ratio']:.2f} | "
                     f"{e['peak_vram'] / 2**30:.2f} GiB | {t['peak_vram'] / 2**30:.2f} GiB | "
                     f"x{r['vram_ratio']:.2f} | {e['mean_loss']:.4f} / {t['mean_loss']:.4f} |")
    return "\n".join(lines) + "\n"


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--hf-worker":
        a = sys.argv[2:]
        hf_worker(a[0], a[1], a[2], a[3] == "1")
        return
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cli", default=str(REPO / "build-wheel/app/finetune-cli"))
    p.add_argument("--models", default="smollm2,llama-1b")
    p.add_argument("--variants", default="lora-all,full")
    p.add_argument("--rows", type=int, default=64)
    p.add_argument("--cutoff", type=int, default=512)
    p.add_argument("--repeat", type=int, default=1)
    p.add_argument("--out")
    p.add_argument("--markdown")
    a = p.parse_args()
    import torch
    cli = pathlib.Path(a.cli).resolve()
    bench_train.CLI = cli  # tokenise_rows renders the rows with this build
    work = cli.parents[1] / "bench-gpu"
    work.mkdir(parents=True, exist_ok=True)
    smollm2 = work / "smollm2-135m"
    if not (smollm2 / "config.json").exists():
        subprocess.run([cli, "convert", "--model", default_model(), "--out", smollm2], check=True)
    models = {"smollm2": smollm2}
    if "llama-1b" in a.models:
        models["llama-1b"] = llama_1b(work, smollm2)
    props = torch.cuda.get_device_properties(0)
    bf16 = torch.cuda.is_bf16_supported()
    driver = subprocess.run(["nvidia-smi", "--query-gpu=driver_version", "--format=csv,noheader"],
                            capture_output=True, text=True).stdout.strip()
    rows = json.loads(FIXTURE_ROWS.read_text())[: a.rows]
    data = work / "rows.json"
    data.write_text(json.dumps(rows))
    report = {"date": datetime.date.today().isoformat(), "gpu": props.name, "driver": driver,
              "torch": torch.__version__, "bf16": bf16, "rows": len(rows), "cutoff": a.cutoff,
              "hparams": HPARAMS, "results": []}
    for name in a.models.split(","):
        model = models[name]
        examples = bench_train.tokenise_rows(model, rows, a.cutoff, work)
        examples_file = work / f"examples-{name}.json"
        examples_file.write_text(json.dumps(examples))
        trained = bench_train.loss_tokens(examples)
        for variant in a.variants.split(","):
            engine_runs, reference_runs = [], []
            for _ in range(a.repeat):  # interleaved
                engine_runs.append(bench_engine(cli, model, data, variant, a.cutoff, work))
                reference_runs.append(bench_transformers(model, examples_file, variant, bf16))
            eng = bench_train.median_run(engine_runs)
            ref = bench_train.median_run(reference_runs)
            for r in (eng, ref):
                r["loss_tokens_per_second"] = trained / r["train_seconds"]
            entry = {"model": name, "variant": variant, "loss_tokens": trained, "engine": eng,
                     "transformers": ref,
                     "speed_ratio": eng["loss_tokens_per_second"] / ref["loss_tokens_per_second"],
                     "vram_ratio": eng["peak_vram"] / max(ref["peak_vram"], 1),
                     "runs": {"engine": engine_runs, "transformers": reference_runs}}
            report["results"].append(entry)
            print(f"{name:9s} {variant:9s} engine {eng['loss_tokens_per_second']:8.0f} tok/s "
                  f"{eng['peak_vram'] / 2**30:6.2f} GiB | transformers "
                  f"{ref['loss_tokens_per_second']:8.0f} tok/s {ref['peak_vram'] / 2**30:6.2f} GiB"
                  f" | speed x{entry['speed_ratio']:.2f} VRAM x{entry['vram_ratio']:.2f} | mean loss "
                  f"{eng['mean_loss']:.4f} / {ref['mean_loss']:.4f}", flush=True)
    if a.out:
        pathlib.Path(a.out).write_text(json.dumps(report, indent=1))
    table = markdown(report)
    print(table)
    if a.markdown:
        pathlib.Path(a.markdown).write_text(table)


if __name__ == "__main__":
    main()
