"""Runs inside .venv-llamafactory (LLaMA-Factory, its pinned transformers, DeepSpeed), called by
test_recipe_llamafactory.py; prints one JSON object on stdout.

  args YAML            the YAML parsed by LLaMA-Factory's own HfArgumentParser over its argument
                       dataclasses (unknown keys are an error), then checked by get_train_args
  deepspeed YAML MODEL the YAML's DeepSpeed config with its "auto" values filled by transformers'
                       DeepSpeed integration (as the Trainer fills them, the model's hidden size
                       included) and parsed by DeepSpeed's own DeepSpeedConfig
"""
import json
import pathlib
import sys

import yaml


def _yaml(path):
    doc = yaml.safe_load(pathlib.Path(path).read_text())
    import torch
    if doc.get("bf16") and not torch.cuda.is_available():
        # transformers refuses bf16 without a GPU unless told it runs on the CPU (the recipe is
        # for a cluster's GPUs; this machine only checks it).
        doc["use_cpu"] = True
    return doc


def check_args(path):
    from llamafactory.hparams import get_train_args
    from llamafactory.hparams.parser import _parse_train_args
    raw = _yaml(path)
    # As read_args + _parse_train_args do for `llamafactory-cli train x.yaml`: no extra keys.
    _parse_train_args(dict(raw))
    model, data, training, finetuning, _ = get_train_args(dict(raw))
    print(json.dumps({
        "keys": sorted(k for k in raw if k != "use_cpu"),
        "model_name_or_path": model.model_name_or_path,
        "template": data.template, "dataset": data.dataset, "eval_dataset": data.eval_dataset,
        "cutoff_len": data.cutoff_len, "val_size": data.val_size,
        "stage": finetuning.stage, "finetuning_type": finetuning.finetuning_type,
        "lora_rank": finetuning.lora_rank, "lora_alpha": finetuning.lora_alpha,
        "lora_dropout": finetuning.lora_dropout, "lora_target": finetuning.lora_target,
        "freeze_trainable_layers": finetuning.freeze_trainable_layers,
        "freeze_trainable_modules": finetuning.freeze_trainable_modules,
        "freeze_extra_modules": finetuning.freeze_extra_modules,
        "pref_beta": finetuning.pref_beta, "pref_loss": finetuning.pref_loss,
        "learning_rate": training.learning_rate,
        "per_device_train_batch_size": training.per_device_train_batch_size,
        "gradient_accumulation_steps": training.gradient_accumulation_steps,
        "num_train_epochs": training.num_train_epochs, "max_steps": training.max_steps,
        "lr_scheduler_type": str(getattr(training.lr_scheduler_type, "value",
                                         training.lr_scheduler_type)),
        "warmup_ratio": training.warmup_ratio, "weight_decay": training.weight_decay,
        "max_grad_norm": training.max_grad_norm, "seed": training.seed,
        "bf16": training.bf16, "output_dir": training.output_dir,
    }))


def check_deepspeed(path, model_dir):
    import deepspeed
    import transformers
    from deepspeed.runtime.config import DeepSpeedConfig
    from llamafactory.hparams.parser import _parse_train_args
    _, _, training, _, _ = _parse_train_args(_yaml(path))
    hf_config = training.hf_deepspeed_config  # trainer_config_process already ran
    model = transformers.AutoModelForCausalLM.from_pretrained(model_dir)
    hf_config.trainer_config_finalize(training, model, num_training_steps=10)
    filled = hf_config.config
    autos = [k for k, v in _flatten(filled) if v == "auto"]
    parsed = DeepSpeedConfig(filled)
    print(json.dumps({
        "deepspeed": deepspeed.__version__, "autos_left": autos,
        "zero_stage": parsed.zero_optimization_stage,
        "train_batch_size": parsed.train_batch_size,
        "micro_batch": parsed.train_micro_batch_size_per_gpu,
        "gradient_accumulation_steps": parsed.gradient_accumulation_steps,
        "gradient_clipping": parsed.gradient_clipping,
        "bf16": parsed.bfloat16_config.enabled, "fp16": parsed.float16_config.enabled,
        "reduce_bucket_size": parsed.zero_config.reduce_bucket_size,
    }))


def _flatten(d, prefix=""):
    for k, v in d.items():
        if isinstance(v, dict):
            yield from _flatten(v, prefix + k + ".")
        else:
            yield prefix + k, v


if __name__ == "__main__":
    if sys.argv[1] == "args":
        check_args(sys.argv[2])
    elif sys.argv[1] == "deepspeed":
        check_deepspeed(sys.argv[2], sys.argv[3])
    else:
        sys.exit(f"unknown mode {sys.argv[1]}")
