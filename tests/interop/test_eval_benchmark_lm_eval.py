"""finetune-cli eval --task benchmark against lm-evaluation-harness itself: lm-eval's own mmlu task
configuration (its _default_template_yaml and mmlu_<subject>.yaml), pointed at the fixture CSVs
converted to local JSONL, run by HFLM + simple_evaluate on the same tiny models: identical prompt
strings and continuations, log-likelihoods within 1e-3, the same is_greedy flags, per-question
correctness and per-subject accuracy. 5-shot, 3 subjects x 5 questions, both tokenizers; slow
(lm-eval's start-up and its un-cached forward passes take minutes on a loaded 2-core machine)."""
import json
import os
import pathlib

import pytest

from conftest import cli_json
from eval_bench_models import SUBJECTS, TOL, mmlu_dir as _mmlu, model_dir, rows as _rows  # noqa: F401


def _lm_eval_tasks(mmlu, out):
    """lm-eval's own mmlu task configuration for SUBJECTS, reading the fixture as local JSONL."""
    import lm_eval
    import yaml
    tasks_dir = pathlib.Path(lm_eval.__file__).parent / "tasks" / "mmlu" / "default"
    base = yaml.safe_load((tasks_dir / "_default_template_yaml").read_text())
    out.mkdir(parents=True, exist_ok=True)
    names = []
    for subject in SUBJECTS:
        for split in ("dev", "test"):
            with open(out / f"{subject}_{split}.jsonl", "w") as f:
                for r in _rows(mmlu, subject, split):
                    f.write(json.dumps({"question": r[0], "choices": r[1:5],
                                        "answer": "ABCD".index(r[5].strip())}) + "\n")
        cfg = dict(base)
        cfg.update({k: v for k, v in yaml.safe_load((tasks_dir / f"mmlu_{subject}.yaml").read_text()).items()
                    if k not in ("include", "tag", "dataset_name")})
        cfg["task"] = f"ftbench_{subject}"
        cfg["dataset_path"] = "json"
        cfg["dataset_kwargs"] = {"data_files": {s: str(out / f"{subject}_{s}.jsonl") for s in ("dev", "test")}}
        (out / f"ftbench_{subject}.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True))
        names.append(cfg["task"])
    return names


def test_predictions_equal_lm_eval(model_dir, fixtures_dir, work_dir):
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    pytest.importorskip("lm_eval")
    from lm_eval import simple_evaluate
    from lm_eval.models.huggingface import HFLM
    from lm_eval.tasks import TaskManager
    mmlu = _mmlu(fixtures_dir)
    names = _lm_eval_tasks(mmlu, work_dir / f"lm_eval_tasks_{model_dir.name}")
    limit = 5
    lm = HFLM(pretrained=str(model_dir), device="cpu", dtype="float32", batch_size=4)
    ref = simple_evaluate(model=lm, tasks=names, num_fewshot=5, limit=limit, log_samples=True,
                          task_manager=TaskManager(include_path=str(work_dir / f"lm_eval_tasks_{model_dir.name}")),
                          bootstrap_iters=0)
    ours = cli_json("eval", "--model", model_dir, "--benchmark", mmlu, "--subjects", ",".join(SUBJECTS),
                    "--shots", "5", "--limit", str(limit), timeout=300)
    by_subject = {}
    for item in ours["items"]:
        by_subject.setdefault(item["subject"], []).append(item)
    worst = 0.0
    for subject in SUBJECTS:
        samples = sorted(ref["samples"][f"ftbench_{subject}"], key=lambda s: s["doc_id"])
        mine = by_subject[subject]
        assert len(samples) == len(mine) == limit
        for sample, item in zip(samples, mine):
            contexts = {a[0] for a in sample["arguments"]}
            assert contexts == {item["prompt"]}
            assert [a[1] for a in sample["arguments"]] == item["continuations"]
            lls = [r[0][0] for r in sample["resps"]]
            greedy = [bool(r[0][1]) for r in sample["resps"]]
            worst = max(worst, max(abs(a - b) for a, b in zip(lls, item["loglikelihoods"])))
            assert greedy == item["is_greedy"]
            assert item["correct"] == bool(sample["acc"])
        acc = ref["results"][f"ftbench_{subject}"]["acc,none"]
        assert ours["subjects"][subject]["acc"] == pytest.approx(acc, abs=1e-9)
    assert worst < TOL, worst
