"""Domain-test metrics and statistics (`finetune-cli score`, `finetune-cli stats`) against their
reference implementations, within 1e-6:
- exact match / token F1: the SQuAD v1.1 script's definitions (written out below as in
  evaluate-v1.1.py), and the documented Chinese character-level variant;
- ROUGE-L: rouge_score.RougeScorer(['rougeL']) (default tokenizer), and with a custom tokenizer
  that splits CJK characters for --lang zh;
- BLEU: sacrebleu (corpus_score with defaults; sentence_score with effective_order=True),
  tokenize '13a' and 'zh';
- Wilson interval: statsmodels proportion_confint(method='wilson'); sign test: scipy binomtest;
- paired bootstrap: its estimate exactly, its interval against scipy.stats.bootstrap(method=
  'percentile') within a Monte-Carlo tolerance, determinism for a seed.
The ~200 pairs are generated (seeded): casing, punctuation, articles, numbers, HTML entities,
Chinese and mixed text, Unicode white space, empty strings."""
import collections
import json
import random
import re
import string
import unicodedata

import numpy as np
import pytest
import sacrebleu
from rouge_score import rouge_scorer
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint

from conftest import cli_json, expect_bad_input, run_cli

TOL = 1e-6


# --- SQuAD v1.1 (evaluate-v1.1.py), verbatim in substance -------------------------------------
def normalize_answer(s):
    def remove_articles(text):
        return re.sub(r'\b(a|an|the)\b', ' ', text)

    def white_space_fix(text):
        return ' '.join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)

    def lower(text):
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def squad_f1(prediction_tokens, ground_truth_tokens):
    common = collections.Counter(prediction_tokens) & collections.Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    return (2 * precision * recall) / (precision + recall)


def f1_score(prediction, ground_truth):
    return squad_f1(normalize_answer(prediction).split(), normalize_answer(ground_truth).split())


def exact_match_score(prediction, ground_truth):
    return float(normalize_answer(prediction) == normalize_answer(ground_truth))


# --- the Chinese variants, as docs/evaluation-metrics.md defines them --------------------------
def is_cjk(c):
    cp = ord(c)
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2FA1F
            or 0xF900 <= cp <= 0xFAFF or 0x3040 <= cp <= 0x30FF or 0xAC00 <= cp <= 0xD7AF)


def zh_words(text):
    text = ''.join(c for c in text.lower()
                   if c not in string.punctuation and not unicodedata.category(c).startswith('P'))
    text = re.sub(r'\b(a|an|the)\b', ' ', text)
    out = []
    for word in text.split():
        run = ''
        for c in word:
            if is_cjk(c):
                if run:
                    out.append(run)
                run = ''
                out.append(c)
            else:
                run += c
        if run:
            out.append(run)
    return out


def f1_zh(prediction, ground_truth):
    return squad_f1(zh_words(prediction), zh_words(ground_truth))


class CjkCharTokenizer:
    """rouge_score's default tokenizer plus every CJK character as a token of its own."""

    def tokenize(self, text):
        tokens, run = [], ''
        for c in text.lower():
            if 'a' <= c <= 'z' or '0' <= c <= '9':
                run += c
                continue
            if run:
                tokens.append(run)
            run = ''
            if is_cjk(c):
                tokens.append(c)
        if run:
            tokens.append(run)
        return tokens


# --- the generated pairs -----------------------------------------------------------------------
WORDS = ("the a an Paris capital of France is city river Seine model answer dose mg patient "
         "contract clause 3.5 1,000 2023-05 e.g. U.S. it's don't well-known (note) [ref] "
         "50% $20 #1 A&B <tag> C++ x/y naïve Café İstanbul STRASSE Straße ǅ").split()
ZH = ("巴黎 是 法国 的 首都 。 患者 每日 剂量 为 五 毫克 ， 合同 第 三 条 规定 “ 违约 ” 责任 ！ "
      "模型 回答 正确 吗 ？ （ 注 ） 《 民法典 》 ２０２３ 年 Ｆｕｌｌ").split()
SPECIAL = [
    ("", ""), ("", "Paris"), ("Paris", ""), ("   ", "the"), ("The Paris!", "paris"),
    ("a an the", "the"), ("Paris, France.", "paris france"), ("3.5 mg", "3.5mg"),
    ("1,000 patients", "1000 patients"), ("A&amp;B &lt;ok&gt; &quot;x&quot;", 'A&B <ok> "x"'),
    ("<skipped> done", "done"), ("well-\nknown fact", "wellknown fact"), ("line\none", "line one"),
    ("tab\there\u3000wide\u00a0space", "tab here wide space"), ("2020-2021 season", "2020 - 2021"),
    ("İstanbul", "i̇stanbul"), ("STRASSE", "straße"), ("ΣΊΣΥΦΟΣ", "σίσυφος"),
    ("巴黎是法国的首都。", "法国的首都是巴黎。"), ("巴黎是首都", "巴黎是首都"),
    ("患者每日剂量为5毫克", "患者每日剂量为五毫克"), ("他说：“好！”", "他说“好”"),
    ("GPT-4模型在2023年发布", "GPT-4 模型 2023 年 发布"), ("ＡＢＣ全角", "abc全角"),
    ("the answer", "answer"), ("an apple a day", "apple day"), ("_the_", "the"),
    ("x.y, z.", "x . y , z ."), (".5 and 5.", "0.5 and 5"), ("end with space ", " end with space"),
    # sacrebleu 'zh' splits U+2001..U+2A6D (quotes, dashes, arrows, the euro) like Han characters
    ("He said “hello”—twice…", 'He said "hello" - twice...'), ("价格“Full”→2€", "价格 “Full” → 2 €"),
    ("no overlap at all", "completely different words"), ("同", "不"), ("repeat repeat repeat", "repeat"),
]


def generate_pairs(count=200, seed=7):
    rng = random.Random(seed)
    pairs = list(SPECIAL)
    while len(pairs) < count:
        vocab = ZH if rng.random() < 0.35 else WORDS
        joiner = '' if vocab is ZH and rng.random() < 0.5 else ' '
        ref = [rng.choice(vocab) for _ in range(rng.randint(0, 14))]
        hyp = list(ref)
        for _ in range(rng.randint(0, 5)):  # edits: drop, swap, insert, recase
            op = rng.random()
            if hyp and op < 0.3:
                hyp.pop(rng.randrange(len(hyp)))
            elif len(hyp) > 1 and op < 0.5:
                i = rng.randrange(len(hyp) - 1)
                hyp[i], hyp[i + 1] = hyp[i + 1], hyp[i]
            elif op < 0.8:
                hyp.insert(rng.randrange(len(hyp) + 1), rng.choice(vocab))
            elif hyp:
                i = rng.randrange(len(hyp))
                hyp[i] = hyp[i].upper() if rng.random() < 0.5 else hyp[i].capitalize()
        pairs.append((joiner.join(hyp), joiner.join(ref)))
    return pairs


def base_of(pred, ref, i):
    """A weaker second system: every third row empty, else a shuffled prediction."""
    if i % 3 == 0:
        return ""
    words = pred.split()
    random.Random(i).shuffle(words)
    return ' '.join(words[: max(1, len(words) - 1)])


@pytest.fixture(scope="module")
def pairs():
    return generate_pairs()


@pytest.fixture(scope="module")
def predictions_file(work_dir, pairs):
    path = work_dir / "eval-metrics" / "predictions.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as f:
        for i, (pred, ref) in enumerate(pairs):
            row = {"prediction": pred, "reference": ref, "base_prediction": base_of(pred, ref, i)}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
            if i == 10:
                f.write("\n")  # blank lines are skipped
    return path


def score(path, *extra):
    return cli_json("eval", "--task", "domain", "--predictions", path, *extra)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_per_row_metrics_equal_references(predictions_file, pairs, lang):
    report = score(predictions_file, "--lang", lang, "--metrics", "em,f1,rouge_l,bleu")
    assert report["language"] == lang and report["rows_scored"] == len(pairs)
    rows = report["rows"]
    tokenizer = CjkCharTokenizer() if lang == "zh" else None
    rouge = rouge_scorer.RougeScorer(["rougeL"], tokenizer=tokenizer)
    sentence_bleu = sacrebleu.metrics.BLEU(effective_order=True, tokenize="zh" if lang == "zh" else "13a")
    f1 = f1_zh if lang == "zh" else f1_score
    for i, ((pred, ref), row) in enumerate(zip(pairs, rows)):
        want = {
            "em": exact_match_score(pred, ref),
            "f1": f1(pred, ref),
            "rouge_l": rouge.score(ref, pred)["rougeL"].fmeasure,
            "bleu": sentence_bleu.sentence_score(pred, [ref]).score,
        }
        for name, value in want.items():
            assert abs(row[name] - value) <= TOL, (i, name, pred, ref, row[name], value)
        base = base_of(pred, ref, i)
        assert abs(row["base"]["f1"] - f1(base, ref)) <= TOL, (i, base, ref)
        assert abs(row["base"]["bleu"] - sentence_bleu.sentence_score(base, [ref]).score) <= TOL


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_corpus_bleu_and_means_equal_references(predictions_file, pairs, lang):
    report = score(predictions_file, "--lang", lang, "--bootstrap-seed", "11")
    tok = "zh" if lang == "zh" else "13a"
    hyps = [p for p, _ in pairs]
    refs = [r for _, r in pairs]
    bases = [base_of(p, r, i) for i, (p, r) in enumerate(pairs)]
    bleu = report["metrics"]["bleu"]
    want = sacrebleu.corpus_bleu(hyps, [refs], tokenize=tok)
    assert bleu["tokenizer"] == tok
    assert abs(bleu["score"] - want.score) <= TOL
    assert abs(bleu["brevity_penalty"] - want.bp) <= TOL
    assert bleu["hyp_len"] == want.sys_len and bleu["ref_len"] == want.ref_len
    for got, expected in zip(bleu["precisions"], want.precisions):
        assert abs(got - expected) <= TOL
    want_base = sacrebleu.corpus_bleu(bases, [refs], tokenize=tok)
    assert abs(bleu["base"]["score"] - want_base.score) <= TOL
    assert abs(bleu["difference"]["estimate"] - (want.score - want_base.score)) <= TOL
    low, high = bleu["difference"]["low"], bleu["difference"]["high"]
    assert low <= bleu["difference"]["estimate"] <= high

    f1 = f1_zh if lang == "zh" else f1_score
    tuned = np.array([f1(p, r) for p, r in zip(hyps, refs)])
    base = np.array([f1(b, r) for b, r in zip(bases, refs)])
    m = report["metrics"]["f1"]
    assert abs(m["mean"] - tuned.mean()) <= TOL and abs(m["base_mean"] - base.mean()) <= TOL
    wins, losses = int((tuned > base).sum()), int((tuned < base).sum())
    assert (m["wins"], m["losses"], m["ties"]) == (wins, losses, len(pairs) - wins - losses)
    assert abs(m["sign_test_p"] - scipy_stats.binomtest(wins, wins + losses).pvalue) <= TOL
    wl, wh = proportion_confint(wins, wins + losses, method="wilson")
    assert abs(m["wilson_low"] - wl) <= TOL and abs(m["wilson_high"] - wh) <= TOL


def test_bootstrap_interval_against_scipy(predictions_file, pairs):
    report = score(predictions_file, "--lang", "en", "--metrics", "f1", "--resamples", "4000")
    diff = np.array([f1_score(p, r) - f1_score(base_of(p, r, i), r)
                     for i, (p, r) in enumerate(pairs)])
    d = report["metrics"]["f1"]["difference"]
    assert abs(d["estimate"] - diff.mean()) <= TOL
    ref = scipy_stats.bootstrap((diff,), np.mean, method="percentile", n_resamples=20000,
                                random_state=np.random.default_rng(0)).confidence_interval
    standard_error = diff.std(ddof=1) / np.sqrt(len(diff))
    # Two Monte-Carlo estimates of the same percentiles: agree within a fraction of the SE.
    assert abs(d["low"] - ref.low) <= 0.15 * standard_error, (d, ref)
    assert abs(d["high"] - ref.high) <= 0.15 * standard_error, (d, ref)
    # Deterministic for a seed; another seed moves the ends a little, not the estimate.
    again = score(predictions_file, "--lang", "en", "--metrics", "f1", "--resamples", "4000")
    assert again["metrics"]["f1"]["difference"] == d
    other = score(predictions_file, "--lang", "en", "--metrics", "f1", "--resamples", "4000",
                  "--bootstrap-seed", "99")["metrics"]["f1"]["difference"]
    assert other["estimate"] == d["estimate"] and other["low"] != d["low"]


def test_auto_language_follows_references(work_dir):
    path = work_dir / "eval-metrics" / "auto.jsonl"
    path.write_text('{"prediction": "巴黎", "reference": "巴黎是首都"}\n', encoding="utf-8")
    assert score(path)["language"] == "zh"
    path.write_text('{"prediction": "巴黎", "reference": "Paris"}\n', encoding="utf-8")
    assert score(path)["language"] == "en"


def test_accuracy_and_confusion(work_dir):
    rows = [("Positive.", "positive"), ("negative", "negative"), ("The answer is positive", "positive"),
            ("NEUTRAL", "neutral"), ("positive", "negative"), ("neutral!", "neutral")]
    path = work_dir / "eval-metrics" / "labels.jsonl"
    path.write_text("".join(json.dumps({"prediction": p, "reference": r}) + "\n" for p, r in rows))
    report = score(path, "--labels", "positive,negative,neutral")
    acc = report["metrics"]["accuracy"]
    labels = ["positive", "negative", "neutral"]
    predicted = [normalize_answer(p) if normalize_answer(p) in labels else "(other)" for p, _ in rows]
    correct = [p == r for p, (_, r) in zip(predicted, rows)]
    assert abs(acc["mean"] - sum(correct) / len(rows)) <= TOL
    for (p, r), label in zip(rows, predicted):
        pass
    confusion = {r: {c: 0 for c in labels + ["(other)"]} for r in labels}
    for label, (_, r) in zip(predicted, rows):
        confusion[r][label] += 1
    assert acc["confusion"] == confusion
    assert [row["label"] for row in report["rows"]] == predicted
    expect_bad_input("eval", "--task", "domain", "--predictions", path, "--labels", "positive,negative",
                     mentions=[f"{path}:4", "neutral", "not one of the labels"])


def test_row_checks(work_dir):
    answers = ['{"a": 1}', ' [1, 2] ', '{"a": }', "Answer: 42", "", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab",
               "总额：5 元", "null"]
    path = work_dir / "eval-metrics" / "checks.jsonl"
    path.write_text("".join(json.dumps({"prediction": a, "reference": "x"}, ensure_ascii=False)
                            + "\n" for a in answers), encoding="utf-8")
    checks = ["json", "contains:42", r"regex:\d+\s*元", "regex:^(a+)+$"]
    args = []
    for c in checks:
        args += ["--check", c]
    report = score(path, "--metrics", "em", *args)
    assert list(report["metrics"]) == ["em"]  # --metrics replaces the default list

    def valid_json(text):
        try:
            json.loads(text)
            return True
        except ValueError:
            return False

    want = {
        "json": [valid_json(a) for a in answers],
        "contains:42": ["42" in a for a in answers],
        r"regex:\d+\s*元": [re.search(r"\d+\s*元", a) is not None for a in answers],
    }
    for c, expected in want.items():
        got = [row["checks"][c] == "pass" for row in report["rows"]]
        assert got == expected, (c, got, expected)
        summary = next(s for s in report["checks"] if s["check"] == c)
        assert summary["passed"] == sum(expected)
    # Catastrophic backtracking ends at the match limit for that row instead of hanging.
    outcomes = [row["checks"]["regex:^(a+)+$"] for row in report["rows"]]
    assert outcomes[5] == "limit reached", outcomes
    expect_bad_input("eval", "--task", "domain", "--predictions", path, "--check", "regex:(unclosed",
                     mentions=["--check regex", "(unclosed", "not a valid regex"])
    expect_bad_input("eval", "--task", "domain", "--predictions", path, "--check", "startswith:x",
                     mentions=["startswith:x"])


@pytest.mark.parametrize("wins,losses,ties", [(30, 18, 4), (0, 0, 3), (7, 0, 0), (0, 9, 1),
                                              (50, 50, 0), (60, 40, 10), (512, 488, 3),
                                              (1, 2, 0), (120, 80, 0)])
def test_stats_command_equals_statsmodels_and_scipy(wins, losses, ties):
    out = cli_json("stats", "--wins", wins, "--losses", losses, "--ties", ties)
    n = wins + losses
    if n:
        low, high = proportion_confint(wins, n, method="wilson")
        p = scipy_stats.binomtest(wins, n).pvalue
        assert abs(out["win_rate"] - wins / n) <= TOL
    else:
        low, high, p = 0.0, 1.0, 1.0
    assert abs(out["wilson_low"] - low) <= TOL and abs(out["wilson_high"] - high) <= TOL
    assert abs(out["sign_test_p"] - p) <= TOL
    decided = n and not (low <= 0.5 <= high) and p < 0.05
    assert (out["verdict"] != "not enough votes to tell") == bool(decided), out


def test_bad_prediction_files(work_dir):
    root = work_dir / "eval-metrics"
    cases = {
        "notjson.jsonl": ('{"prediction": "a", "reference": "b"}\n{oops\n', [":2", "not a JSON"]),
        "array.jsonl": ('["a", "b"]\n', [":1", "JSON object"]),
        "noref.jsonl": ('{"prediction": "a"}\n', [":1", "reference"]),
        "null.jsonl": ('{"prediction": null, "reference": "b"}\n', [":1", "prediction", "null"]),
        "number.jsonl": ('{"prediction": 3, "reference": "b"}\n', [":1", "prediction", "string"]),
        "mixed.jsonl": ('{"prediction": "a", "reference": "b", "base_prediction": "c"}\n'
                        '{"prediction": "a", "reference": "b"}\n', [":2", "base_prediction"]),
        "empty.jsonl": ("\n\n", ["no rows"]),
    }
    for name, (text, mentions) in cases.items():
        path = root / name
        path.write_text(text)
        expect_bad_input("eval", "--task", "domain", "--predictions", path, mentions=[name, *mentions])
    expect_bad_input("eval", "--task", "domain", "--predictions", root / "missing.jsonl", mentions=["missing.jsonl"])
    good = root / "good.jsonl"
    good.write_text('{"prediction": "a", "reference": "b"}\n')
    expect_bad_input("eval", "--task", "domain", "--predictions", good, "--metrics", "em,meteor", mentions=["meteor"])
    expect_bad_input("eval", "--task", "domain", "--predictions", good, "--lang", "fr", mentions=["fr"])
    expect_bad_input("stats", "--wins", -1, "--losses", 2, mentions=["negative"])


def test_text_output_names_the_verdict(predictions_file):
    proc = run_cli("eval", "--task", "domain", "--predictions", predictions_file, "--metrics", "f1,bleu")
    assert "f1:" in proc.stdout and "bleu (corpus" in proc.stdout and "difference" in proc.stdout
    proc = run_cli("stats", "--wins", 5, "--losses", 4)
    assert "not enough votes to tell" in proc.stdout


def test_random_character_pairs_equal_references(work_dir):
    """Texts drawn character by character from an alphabet of the tokenizers' corner cases
    (ASCII punctuation, Unicode spaces, full-width forms, entities, '<skipped>', '-\\n',
    case mappings like 'İ' and final sigma): every per-row metric and corpus BLEU, both languages."""
    alphabet = (list(string.ascii_letters + string.digits + string.punctuation + "  \t\n")
                + list("中文巴黎。，“”—…→€\u3000\u00a0\u2009ＡＢ１ＩİßΣσςéÉ\x1c\u0085")
                + ["the ", " a ", "an ", "&amp;", "&lt;", "<skipped>", "-\n", " .", ", ", "1.5", "2-3"])
    rng = random.Random(3)
    pairs = []
    for _ in range(400):
        ref = ''.join(rng.choice(alphabet) for _ in range(rng.randint(0, 30)))
        hyp = list(ref)
        for _ in range(rng.randint(0, 6)):
            if hyp and rng.random() < 0.5:
                hyp.pop(rng.randrange(len(hyp)))
            else:
                hyp.insert(rng.randrange(len(hyp) + 1), rng.choice(alphabet))
        pairs.append((''.join(hyp), ref))
    path = work_dir / "eval-metrics" / "random.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"prediction": p, "reference": r}) + "\n" for p, r in pairs))
    for lang in ("en", "zh"):
        report = score(path, "--lang", lang)
        tok = "zh" if lang == "zh" else "13a"
        rouge = rouge_scorer.RougeScorer(["rougeL"],
                                         tokenizer=CjkCharTokenizer() if lang == "zh" else None)
        sentence_bleu = sacrebleu.metrics.BLEU(effective_order=True, tokenize=tok)
        f1 = f1_zh if lang == "zh" else f1_score
        for (p, r), row in zip(pairs, report["rows"]):
            want = {"em": exact_match_score(p, r), "f1": f1(p, r),
                    "rouge_l": rouge.score(r, p)["rougeL"].fmeasure,
                    "bleu": sentence_bleu.sentence_score(p, [r]).score}
            for name, value in want.items():
                assert abs(row[name] - value) <= TOL, (lang, name, p, r, row[name], value)
        corpus = sacrebleu.corpus_bleu([p for p, _ in pairs], [[r for _, r in pairs]], tokenize=tok)
        assert abs(report["metrics"]["bleu"]["score"] - corpus.score) <= TOL
