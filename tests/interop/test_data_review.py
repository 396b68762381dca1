"""`finetune-cli data review` on LLaMA-Factory's demo datasets and on a copy with planted problems.

The token counts are checked against Hugging Face `tokenizers` on the rendered text (rendered by
`finetune-cli template`, the engine verified against transformers in test_chat_template.py), the
planted duplicates / PII / empty / mojibake rows must all be found, and clean rows must not be
flagged for PII.
"""
import json
import random

import pytest

from conftest import cli_json, expect_bad_input, run_cli

tokenizers = pytest.importorskip("tokenizers")

MODEL = "tiny-random-llama-2-hf"


def reference_tokenizer(fixtures_dir):
    """tokenizers' Llama-2 tokenizer (the same vocabulary as the model's tokenizer.model)."""
    source = fixtures_dir / "llama2-hf-tokenizer" / "tokenizer.json"
    if not source.exists():
        pytest.skip("llama2-hf-tokenizer fixture missing")
    doc = json.loads(source.read_text(encoding="utf-8"))
    vocab = doc["model"]["vocab"]
    if vocab.get("") == 31353:  # that copy's quirk (see test_tokenizer_parity.py)
        del vocab[""]
        vocab["\u2028"] = 31353
    return tokenizers.Tokenizer.from_str(json.dumps(doc))


def import_file(project, path, name):
    out = cli_json("data", "import", path, "--project", project, "--name", name)
    return out


def dataset_entry(project, name):
    return next(d for d in cli_json("data", "list", "--project", project) if d["name"] == name)


def review(project, name, *extra):
    return cli_json("data", "review", "--project", project, "--dataset", name, *extra)


def check_consistent(result, rows):
    counts = result["counts"]
    assert sum(c["findings"] for c in counts.values()) == result["findings"]
    for kind, c in counts.items():
        assert 0 <= c["rows"] <= c["findings"], kind
        assert c["rows"] <= rows, kind
    assert result["rows"] == rows
    assert 0 <= result["score"] <= 100
    penalties = sum(f["penalty"] for f in result["report"]["score"]["factors"])
    assert abs(result["score"] - max(0.0, 100 - penalties)) < 0.051
    hist = result["report"]["token_lengths"]["histogram"]
    assert sum(b["rows"] for b in hist) == rows


@pytest.fixture(scope="module")
def demo_project(work_dir, fixtures_dir):
    project = work_dir / "review-demo.ftproj"
    for suffix in ("", "-wal", "-shm"):
        (work_dir / f"review-demo.ftproj{suffix}").unlink(missing_ok=True)
    datasets = fixtures_dir / "datasets"
    import_file(project, datasets / "alpaca_en_demo.json", "en")
    import_file(project, datasets / "alpaca_zh_demo.json", "zh")
    return project


def test_demo_datasets_review(demo_project, fixtures_dir):
    model = fixtures_dir / MODEL
    for name, script in (("en", "latin"), ("zh", "han")):
        entry = dataset_entry(demo_project, name)
        result = review(demo_project, name, "--model", model, "--cutoff", 512)
        check_consistent(result, entry["rows"])
        report = result["report"]
        assert report["token_lengths"]["exact"] is True
        assert report["script_mix"]["dominant"] == script
        # The stored findings are this review's, and a second review replaces them.
        assert dataset_entry(demo_project, name)["findings"] == result["findings"]
        again = review(demo_project, name, "--model", model, "--cutoff", 512)
        assert again["findings"] == result["findings"]
        assert dataset_entry(demo_project, name)["findings"] == result["findings"]
    # Without a tokenizer the counts are an estimate, and said to be.
    approx = review(demo_project, "en")
    assert approx["report"]["token_lengths"]["exact"] is False
    assert approx["report"]["token_lengths"]["method"].startswith("approximate")


def test_token_lengths_match_tokenizers(demo_project, fixtures_dir, work_dir):
    model = fixtures_dir / MODEL
    tok = reference_tokenizer(fixtures_dir)
    for name in ("en", "zh"):
        total = dataset_entry(demo_project, name)["rows"]
        result = review(demo_project, name, "--model", model, "--cutoff", 256, "--row-tokens")
        counts = result["row_tokens"]
        assert len(counts) == total
        stored = cli_json("data", "rows", "--project", demo_project, "--dataset", name,
                          "--offset", 0, "--limit", total)["rows"]
        truncated = 0
        for index in random.Random(5).sample(range(total), 5):
            row = stored[index]
            messages = ([{"role": "system", "content": row["system"]}] if row["system"] else [])
            messages += row["edited"] or row["messages"]
            conv = work_dir / "review-conv.json"
            conv.write_text(json.dumps({"messages": messages}), encoding="utf-8")
            text = cli_json("template", "--model", model, "--template", "alpaca",
                            "--conversation", conv)["text"]
            # The trainer's count: no special tokens added by encode, EOS appended (Alpaca).
            expected = len(tok.encode(text, add_special_tokens=False).ids) + 1
            assert counts[index] == expected, (name, index)
        for n in counts:
            truncated += n > 256
        assert result["report"]["token_lengths"]["rows_truncated"] == truncated
        assert result["report"]["token_lengths"]["tokens_lost"] == sum(max(0, n - 256) for n in counts)


VALID_ID = "11010519491231002X"
PLANTED_PII = {
    "email": "Please reply to maria.lopez@example.org by Friday.",
    "cn_mobile": "我的手机号是13912345678，请联系我。",
    "cn_id": f"身份证号码：{VALID_ID}",
    "bank_card": "Charge card 4111 1111 1111 1111 for the order.",
    "ipv4": "The server at 192.168.10.24 stopped answering.",
    "ipv6": "Ping 2001:db8:85a3::8a2e:370:7334 from the lab.",
    "phone": "Call the office on +44 20 7946 0958 tomorrow.",
}
NOT_PII = [
    "The ID 110105194912310021 has a wrong check digit.",  # checksum fails
    "Card 4111 1111 1111 1112 fails the Luhn check.",
    "Version 10.2.3 shipped in 2023-10-05 with 3.14159 as pi.",
]


def test_planted_problems_found(work_dir, fixtures_dir):
    source = json.loads((fixtures_dir / "datasets" / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    rows = source[:300]
    planted = {}

    def plant(kind, row):
        planted.setdefault(kind, []).append(len(rows))
        rows.append(row)

    # Exact duplicate (case and spacing changed) and a one-word edit of a long answer.
    dup = dict(rows[3])
    dup["instruction"] = "  " + dup["instruction"].upper() + "  "
    plant("exact_duplicate", dup)
    long_row = max(rows[:300], key=lambda r: len(r["output"]))
    words = long_row["output"].split(" ")
    words[len(words) // 2] = "remarkably"
    plant("near_duplicate", dict(long_row, output=" ".join(words)))
    for kind, text in PLANTED_PII.items():
        plant("pii:" + kind, {"instruction": "Summarise this note.", "input": text, "output": "Noted: " + text})
    for text in NOT_PII:
        plant("not_pii", {"instruction": "Comment on this line.", "input": text, "output": "It is just a line."})
    plant("mojibake", {"instruction": "Fix the quote.", "input": "", "output": "Itâ€™s a cafÃ© in town."})
    plant("empty_output_whitespace", {"instruction": "Answer briefly.", "input": "", "output": "   "})
    plant("repeats_prompt", {"instruction": "Repeat after me: the sky is blue today", "input": "",
                             "output": "Repeat after me: the sky is blue today"})
    plant("truncated", {"instruction": "Write a very long essay.", "input": "",
                        "output": " ".join(f"Paragraph {i} says something new about rivers." for i in range(400))})
    path = work_dir / "review-planted.json"
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")

    project = work_dir / "review-planted.ftproj"
    for suffix in ("", "-wal", "-shm"):
        (work_dir / f"review-planted.ftproj{suffix}").unlink(missing_ok=True)
    imported = import_file(project, path, "planted")
    total = dataset_entry(project, "planted")["rows"]
    assert total == len(rows), imported
    result = review(project, "planted", "--model", fixtures_dir / MODEL, "--list-findings")
    check_consistent(result, total)
    flagged = {}
    for f in result["finding_list"]:
        flagged.setdefault(f["kind"], set()).add(f["row"])
        if f["kind"] == "pii":
            flagged.setdefault("pii:" + f["detail"]["type"], set()).add(f["row"])

    # The stored per-row finding counts agree with the review's findings.
    page = cli_json("data", "rows", "--project", project, "--dataset", "planted", "--offset", 0,
                    "--limit", total)["rows"]
    per_row = {}
    for f in result["finding_list"]:
        per_row[f["row"]] = per_row.get(f["row"], 0) + 1
    assert {r["index"]: r["findings"] for r in page if r["findings"]} == per_row

    # Every planted row is found, by the right check.
    for kind, indices in planted.items():
        if kind == "not_pii":
            continue
        check = {"empty_output_whitespace": "empty_field"}.get(kind, kind)
        for index in indices:
            assert index in flagged.get(check, set()), (kind, index, [f for f in result["finding_list"]
                                                                       if f["row"] == index])
    near = next(f for f in result["finding_list"] if f["row"] == planted["near_duplicate"][0]
                and f["kind"] == "near_duplicate")
    assert near["detail"]["representative"] == rows.index(long_row)
    exact = next(f for f in result["finding_list"] if f["row"] == planted["exact_duplicate"][0]
                 and f["kind"] == "exact_duplicate")
    assert exact["detail"]["representative"] == 3
    # The near misses (bad checksum, failed Luhn, versions and dates) are not personal data.
    for index in planted["not_pii"]:
        assert index not in flagged.get("pii", set()), index
    # False positives among the 300 clean demo rows, measured.
    clean = set(range(300))
    pii_fp = flagged.get("pii", set()) & clean
    print(f"clean rows flagged: pii {len(pii_fp)}, mojibake {len(flagged.get('mojibake', set()) & clean)}, "
          f"empty {len(flagged.get('empty_field', set()) & clean)}")
    # Row 91 asks for "a hypothetical phone number" and answers "(555) 123-4567": a phone
    # number by its shape, flagged by design.
    assert pii_fp <= {91}, pii_fp
    assert not (flagged.get("mojibake", set()) & clean)

    # Leakage: split the rows, review again; every duplicate pair that straddles train and another
    # split has its non-train row flagged, and nothing else is.
    cli_json("data", "split", "--project", project, "--dataset", "planted", "--val", "0.5", "--seed", 3)
    split_of = {r["index"]: r["split"] for r in cli_json("data", "rows", "--project", project, "--dataset",
                                                         "planted", "--offset", 0, "--limit", total)["rows"]}
    again = review(project, "planted", "--list-findings")
    expected = set()
    for f in again["finding_list"]:
        if f["kind"] in ("exact_duplicate", "near_duplicate"):
            a, b = f["row"], f["detail"]["representative"]
            if split_of[a] != split_of[b]:
                expected.add(a if split_of[a] != "train" else b)
    leaks = {f["row"] for f in again["finding_list"] if f["kind"] == "split_leakage"}
    assert expected and expected <= leaks, (expected, leaks)
    assert all(split_of[r] != "train" for r in leaks)
    result = review(project, "planted", "--model", fixtures_dir / MODEL, "--list-findings")

    # Acting on a kind of finding: exclude every exact duplicate, then the e-mail rows.
    out = cli_json("data", "set-status", "--project", project, "--dataset", "planted",
                   "--where-finding", "exact_duplicate", "excluded")
    assert out["rows"] == len(flagged["exact_duplicate"])
    out = cli_json("data", "set-status", "--project", project, "--dataset", "planted",
                   "--where-finding", "pii:email", "excluded")
    assert out["rows"] == len(flagged["pii:email"])
    assert dataset_entry(project, "planted")["excluded"] == len(flagged["exact_duplicate"] | flagged["pii:email"])
    expect_bad_input("data", "set-status", "--project", project, "--dataset", "planted",
                     "--where-finding", "nonsense", "excluded", mentions=["nonsense"])


def test_bad_input(work_dir, demo_project):
    expect_bad_input("data", "review", "--project", work_dir / "no-such.ftproj", "--dataset", "en",
                     mentions=["no-such.ftproj"])
    expect_bad_input("data", "review", "--project", demo_project, "--dataset", "nope", mentions=["nope"])
    expect_bad_input("data", "review", "--project", demo_project, "--dataset", "en", "--threshold", "1.5",
                     mentions=["threshold"])
    expect_bad_input("data", "review", "--project", demo_project, "--dataset", "en", "--cutoff", "0",
                     mentions=["cutoff"])
    expect_bad_input("data", "review", "--project", demo_project, "--dataset", "en", "--template", "nonesuch",
                     "--model", work_dir / "missing-model", mentions=["missing-model"])
