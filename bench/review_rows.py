"""Deterministic Alpaca-style rows for the data benchmarks (bench/bench_review.py).

Words are drawn from LLaMA-Factory's alpaca_en_demo (fixtures) with their own frequencies, so the
word distribution (and a BPE cache's hit rate) is that of real instruction data; lengths follow
the original Alpaca's (instruction ~60 characters, input empty in ~60 % of rows, output ~270
characters with a long tail). About 2 % of rows are exact copies of an earlier row, 1 % near
copies (one word changed), and a few are bad: empty output, no instruction, an e-mail address,
mojibake, a control character.
"""
import json
import os
import pathlib
import random
import re


def corpus_words(fixtures):
    data = json.loads((pathlib.Path(fixtures) / "datasets" / "alpaca_en_demo.json").read_text(encoding="utf-8"))
    words = []
    for row in data:
        for field in ("instruction", "input", "output"):
            words.extend(re.findall(r"\S+", row[field]))
    return words


def _sentence(rng, words, n):
    text = " ".join(rng.choices(words, k=n))
    return text[:1].upper() + text[1:]


def _length(rng, mean, cap):
    return max(1, min(cap, int(rng.expovariate(1.0 / mean)) + 1))


def generate(path, rows, fixtures, seed=17):
    """Writes `rows` JSONL rows to path (skipped when a file with the same parameters exists)."""
    path = pathlib.Path(path)
    stamp = path.with_suffix(".params")
    params = f"rows={rows} seed={seed} v1"
    if path.exists() and stamp.exists() and stamp.read_text() == params:
        return path
    rng = random.Random(seed)
    words = corpus_words(fixtures)
    kept = []
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        for i in range(rows):
            r = rng.random()
            if kept and r < 0.02:
                row = dict(rng.choice(kept))  # exact duplicate
            elif kept and r < 0.03:
                row = dict(rng.choice(kept))  # near duplicate: one word changed
                parts = row["output"].split(" ")
                parts[rng.randrange(len(parts))] = rng.choice(words)
                row["output"] = " ".join(parts)
            else:
                row = {"instruction": _sentence(rng, words, _length(rng, 10, 60)) + "?",
                       "input": _sentence(rng, words, _length(rng, 12, 120)) if rng.random() < 0.4 else "",
                       "output": _sentence(rng, words, _length(rng, 45, 600)) + "."}
                bad = rng.random()
                if bad < 0.001:
                    row["output"] = ""
                elif bad < 0.002:
                    row["instruction"] = ""
                elif bad < 0.004:
                    row["output"] += f" Write to user{i}@example.com for details."
                elif bad < 0.005:
                    row["output"] += " Itâ€™s cafÃ© time."
                elif bad < 0.006:
                    row["input"] += "\x07"
            if len(kept) < 5000 and rng.random() < 0.05:
                kept.append(row)
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    os.replace(tmp, path)
    stamp.write_text(params)
    return path


if __name__ == "__main__":
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--fixtures", default=os.environ.get("FT_FIXTURES", "/work/shared/fixtures"))
    a = ap.parse_args()
    print(generate(a.out, a.rows, a.fixtures))
