"""AdamW steps, learning-rate schedules, gradient clipping and the causal-LM loss equal
torch.optim.AdamW + transformers' schedulers + torch.nn.utils.clip_grad_norm_ on the same tiny
model and batch: full fine-tuning and LoRA, parameters within 1e-5 after several steps."""
import pytest
import torch
import transformers
from peft import LoraConfig, PeftModel, get_peft_model
from peft.utils import get_peft_model_state_dict
from safetensors.torch import load_file

from tiny_models import build
from test_lora_driver import run_job

IDS = [[5, 17, 42, 7, 99, 250, 3, 11, 5, 300, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 0, 0, 0]]
MASK = [[1] * 12, [1] * 9 + [0] * 3]
# The prompt (first 4 tokens) and the padding take no loss.
LABELS = [[-100] * 4 + row[4:] for row in IDS]
LABELS[1][9:] = [-100] * 3

SCHEDULERS = {
    "linear": transformers.get_linear_schedule_with_warmup,
    "cosine": transformers.get_cosine_schedule_with_warmup,
    "constant_with_warmup": lambda opt, w, n: transformers.get_constant_schedule_with_warmup(opt, w),
}


def _warmup_steps(warmup, steps):
    args = transformers.TrainingArguments(output_dir="/tmp/unused", warmup_steps=warmup,
                                          report_to=[])
    return args.get_warmup_steps(steps)


def _reference_train(model, named_params, settings, steps, grads=None):
    """The engine's TrainStep in Python: what transformers' Trainer does per optimizer step.
    grads: a dict that receives each parameter's gradient (before clipping) of every step."""
    decay = [p for n, p in named_params if p.dim() >= 2 and "bias" not in n]
    plain = [p for n, p in named_params if not (p.dim() >= 2 and "bias" not in n)]
    groups = [g for g in ({"params": decay, "weight_decay": settings["weight_decay"]},
                          {"params": plain, "weight_decay": 0.0}) if g["params"]]
    opt = torch.optim.AdamW(groups, lr=settings["lr"], betas=(0.9, 0.999), eps=1e-8,
                            foreach=False)
    warmup = _warmup_steps(settings["warmup"], steps)
    sched = SCHEDULERS[settings["schedule"]](opt, warmup, steps)
    params = [p for _, p in named_params]
    losses, lrs, norms = [], [], []
    for _ in range(steps):
        lrs.append(sched.get_last_lr()[0])
        out = model(input_ids=torch.tensor(IDS), attention_mask=torch.tensor(MASK),
                    labels=torch.tensor(LABELS))
        out.loss.backward()
        if grads is not None:
            for n, p in named_params:
                grads.setdefault(n, []).append(p.grad.detach().clone())
        norms.append(torch.nn.utils.clip_grad_norm_(params, settings["max_grad_norm"]).item())
        losses.append(out.loss.item())
        opt.step()
        sched.step()
        opt.zero_grad()
    return losses, lrs, norms, warmup


def _check_history(result, losses, lrs, norms, warmup):
    assert result["warmup_steps"] == warmup
    assert result["lrs"] == pytest.approx(lrs, rel=1e-12, abs=1e-15)
    assert result["losses"] == pytest.approx(losses, rel=1e-5, abs=1e-6)
    assert result["grad_norms"] == pytest.approx(norms, rel=1e-4)


@pytest.mark.parametrize("kind", ["llama", "gpt2"])
def test_full_finetuning_steps_match_torch(work_dir, kind):
    folder = work_dir / "models" / kind
    build(kind, folder)
    settings = {"steps": 4, "lr": 1e-3, "weight_decay": 0.01, "schedule": "linear",
                "warmup": 0.5, "max_grad_norm": 1.0, "full": True}
    result, tensors = run_job(work_dir, f"full-{kind}",
                              {"model": folder, "ids": IDS, "labels": LABELS, "mask": MASK,
                               "train": settings})
    # eval(): no dropout (GPT-2 has some), gradients still flow.
    model = build(kind, folder).eval()
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    assert result["trainable"] == sum(p.numel() for _, p in named)
    grads = {}
    history = _reference_train(model, named, settings, settings["steps"], grads)
    _check_history(result, *history)
    assert result["lrs"][0] == 0.0 and max(result["lrs"]) == pytest.approx(1e-3)
    state = dict(model.named_parameters())
    names = [k[len("param."):] for k in tensors if k.startswith("param.")]
    assert len(names) == len(named)
    # Adam divides by sqrt(v), so where a gradient element is at fp32 rounding-noise level
    # (below 1e-5 of its tensor's largest at some step; e.g. GPT-2's key bias, whose exact
    # gradient is 0 because softmax ignores a per-query constant) both sides take a step of
    # noise up to ~lr. Those elements are held to Adam's step bound; all others to 1e-5.
    step_bound = 3.0 * sum(history[1]) + 1e-5
    noisy_total = 0
    for name in names:
        noisy = torch.zeros_like(state[name], dtype=torch.bool)
        unused = torch.ones_like(noisy)  # e.g. embedding rows of tokens not in the batch
        for g in grads[name]:
            noisy |= g.abs() < 1e-5 * g.abs().max()
            unused &= g == 0
        noisy_total += int((noisy & ~unused).sum())
        diff = (tensors["param." + name] - state[name].detach()).abs()
        clean = diff[~noisy].max().item() if (~noisy).any() else 0.0
        assert clean < 1e-5, (name, clean)
        if noisy.any():
            assert diff[noisy].max().item() <= step_bound, name
    assert noisy_total < 0.01 * result["trainable"]


LORA_CASES = [
    ("llama", "linear", 0.5, ["q_proj", "v_proj", "down_proj"]),
    ("llama", "cosine", 0.25, "all-linear"),
    ("llama", "constant_with_warmup", 0.3, ["k_proj", "up_proj"]),
    ("gpt2", "cosine", 2, ["c_attn", "c_proj", "c_fc"]),
    ("llama", "linear", 0.5, ["q_proj", "v_proj", "down_proj"], True),
    ("gpt2", "cosine", 2, ["c_attn", "c_fc"], True),
]


@pytest.mark.parametrize("kind,schedule,warmup,targets,dora",
                         [c if len(c) == 5 else c + (False,) for c in LORA_CASES],
                         ids=[f"{c[0]}-{c[1]}" + ("-dora" if len(c) == 5 else "")
                              for c in LORA_CASES])
def test_lora_steps_match_torch(work_dir, kind, schedule, warmup, targets, dora):
    """dora: DoRA (use_dora), its magnitude vectors trained as well."""
    folder = work_dir / "models" / kind
    build(kind, folder)
    name = f"lora-{kind}-{schedule}" + ("-dora" if dora else "")
    # Start from one peft adapter with non-zero B so both sides begin equal and A gets gradients.
    torch.manual_seed(7)
    start = get_peft_model(build(kind, folder),
                           LoraConfig(r=4, lora_alpha=16, lora_dropout=0.0, use_dora=dora,
                                      target_modules=targets, task_type="CAUSAL_LM"))
    with torch.no_grad():
        for n, p in start.named_parameters():
            if "lora_B" in n:
                p.normal_(0.0, 0.1)
    adapter = work_dir / "adapters" / f"{name}-start"
    start.save_pretrained(adapter)
    trained = work_dir / "adapters" / f"{name}-trained"
    settings = {"steps": 5, "lr": 1e-2, "weight_decay": 0.05, "schedule": schedule,
                "warmup": warmup, "max_grad_norm": 0.5}
    result, _ = run_job(work_dir, name, {"model": folder, "adapter": adapter, "ids": IDS,
                                         "labels": LABELS, "mask": MASK, "train": settings,
                                         "save_adapter": trained})
    model = PeftModel.from_pretrained(build(kind, folder), adapter, is_trainable=True).eval()
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    assert result["trainable"] == model.get_nb_trainable_parameters()[0]
    history = _reference_train(model, named, settings, settings["steps"])
    _check_history(result, *history)
    ours = load_file(str(trained / "adapter_model.safetensors"))
    theirs = get_peft_model_state_dict(model)
    assert set(ours) == set(theirs)
    for key, value in theirs.items():
        diff = (ours[key] - value.detach()).abs().max().item()
        assert diff < 1e-5, (key, diff)
