"""finetune-cli eval --task benchmark against transformers: each choice's log-likelihood equals
the sum of log-softmax over the continuation tokens (split as lm-eval's _encode_pair splits them)
within 1e-3, also with a PEFT LoRA adapter given as a run folder; the table, progress line,
seeded subset and bad-input messages. Models (eval_bench_models.py): tiny random Llamas with a
byte-level BPE trained on MMLU text, and with the real Llama-2 SentencePiece tokenizer (BOS
added, "▁A" continuations). lm-evaluation-harness itself: test_eval_benchmark_lm_eval.py."""
import pytest
import torch
import transformers

from conftest import cli_json, expect_bad_input, run_cli

from eval_bench_models import SUBJECTS, TOL, mmlu_dir as _mmlu, model_dir  # noqa: F401 (fixture)


def _reference_logliks(model, tok, prompt, continuations):
    """lm-eval's _encode_pair + _loglikelihood_tokens, in plain torch."""
    ctx = tok.encode(prompt)
    out = []
    for cont in continuations:
        whole = tok.encode(prompt + cont)
        cont_ids = whole[len(ctx):]
        ids = torch.tensor([(ctx + cont_ids)[:-1]])
        with torch.no_grad():
            logp = torch.log_softmax(model(ids).logits[0].float(), -1)
        out.append(sum(logp[len(ctx) - 1 + i, t].item() for i, t in enumerate(cont_ids)))
    return out


def test_choice_logliks_equal_transformers(model_dir, fixtures_dir):
    mmlu = _mmlu(fixtures_dir)
    result = cli_json("eval", "--model", model_dir, "--benchmark", mmlu, "--subjects",
                      "anatomy,astronomy", "--shots", "2", "--limit", "3", timeout=300)
    model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    assert len(result["items"]) == 6
    worst = 0.0
    for item in result["items"]:
        assert item["continuations"] == [" A", " B", " C", " D"]
        expected = _reference_logliks(model, tok, item["prompt"], item["continuations"])
        for got, want in zip(item["loglikelihoods"], expected):
            worst = max(worst, abs(got - want))
        assert item["prediction"] == "ABCD"[max(range(4), key=lambda i: expected[i])]
    assert worst < TOL, worst
    assert result["subjects"]["anatomy"]["count"] == 3
    assert result["categories"]["STEM"]["count"] == 3  # astronomy; anatomy is "Other"


def test_adapter_from_a_run_folder_equals_peft(model_dir, fixtures_dir, work_dir):
    from peft import LoraConfig, PeftModel, get_peft_model
    mmlu = _mmlu(fixtures_dir)
    run = work_dir / f"eval_bench_run_{model_dir.name}"
    if not (run / "final" / "adapter_config.json").exists():
        base = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
        torch.manual_seed(1)
        peft_model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"],
                                                     init_lora_weights=False))
        peft_model.save_pretrained(run / "final")
    result = cli_json("eval", "--model", model_dir, "--adapter", run, "--benchmark", mmlu,
                      "--subjects", "anatomy", "--shots", "1", "--limit", "2", timeout=300)
    assert result["adapter"] == str(run / "final")
    base = transformers.AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    tuned = PeftModel.from_pretrained(base, run / "final").eval()
    tok = transformers.AutoTokenizer.from_pretrained(model_dir)
    for item in result["items"]:
        expected = _reference_logliks(tuned, tok, item["prompt"], item["continuations"])
        assert max(abs(a - b) for a, b in zip(item["loglikelihoods"], expected)) < TOL


def test_table_progress_and_seeded_subset(model_dir, fixtures_dir):
    if model_dir.name.endswith("sentencepiece"):
        pytest.skip("one tokenizer is enough here")
    mmlu = _mmlu(fixtures_dir)
    args = ["eval", "--model", model_dir, "--benchmark", mmlu, "--subjects", "anatomy",
            "--limit", "3", "--seed", "7"]
    proc = run_cli(*args)
    assert "eval 3/3 questions" in proc.stderr
    assert "anatomy" in proc.stdout and "overall" in proc.stdout
    first = cli_json(*args)
    again = cli_json(*args)
    assert [i["source"] for i in first["items"]] == [i["source"] for i in again["items"]]
    assert [i["source"] for i in first["items"]] != ["anatomy_test.csv:1", "anatomy_test.csv:2",
                                                     "anatomy_test.csv:3"]


def test_bad_input(model_dir, fixtures_dir, work_dir):
    if model_dir.name.endswith("sentencepiece"):
        pytest.skip("one tokenizer is enough here")
    mmlu = _mmlu(fixtures_dir)
    expect_bad_input("eval", "--model", model_dir, "--benchmark", mmlu, "--subjects", "anatomy",
                     "--shots", "6", mentions=["anatomy", "--shots 6"])
    expect_bad_input("eval", "--model", model_dir, "--benchmark", mmlu, "--subjects", "nope",
                     mentions=["unknown subject 'nope'"])
    bad = work_dir / "eval_bench_bad"
    (bad / "test").mkdir(parents=True, exist_ok=True)
    (bad / "test" / "physics_test.csv").write_text("q,a,b,c,d,A\nq2,a,b,c,d,F\n")
    expect_bad_input("eval", "--model", model_dir, "--benchmark", bad,
                     mentions=["physics_test.csv:2", "answer 'F'"])
    expect_bad_input("eval", "--model", model_dir, "--benchmark", work_dir / "missing_folder",
                     mentions=["no such file"])
    expect_bad_input("eval", "--model", model_dir, "--adapter", bad, "--benchmark", mmlu,
                     mentions=["eval_bench_bad", "adapter_config.json"])
