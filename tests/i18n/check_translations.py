#!/usr/bin/env python3
"""Fails on any unfinished, empty, vanished or obsolete entry in resources/translations/*.ts, on a
translation whose placeholders (%1, %n, &) differ from its source, and on a .ts that is not up to
date with the sources: lupdate runs over ui/*.cpp and app/studio/*.cpp into a temporary file and
the (context, source, comment) sets must be equal, so a new tr() without a translation fails.

    check_translations.py --lupdate /usr/lib/qt6/bin/lupdate --root REPO
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# The Chinese translation holds every entry; the English one only the plural forms (-pluralonly).
TRANSLATIONS = {
    "finetune-studio_zh_CN.ts": ("zh_CN", []),
    "finetune-studio_en.ts": ("en", ["-pluralonly"]),
}
PLACEHOLDER = re.compile(r"%L?(?:\d+|n)")


def entries(path):
    """{(context, source, comment): message element}"""
    out = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            key = (name, message.findtext("source"), message.findtext("comment") or "")
            out[key] = message
    return out


def problems_in(path):
    problems = []
    for (context, source, _), message in entries(path).items():
        where = f"{os.path.basename(path)}: {context}: {source!r}"
        translation = message.find("translation")
        kind = translation.get("type") if translation is not None else "missing"
        if kind in ("unfinished", "vanished", "obsolete", "missing"):
            problems.append(f"{where}: {kind}")
            continue
        if message.get("numerus") == "yes":
            texts = [f.text or "" for f in translation.findall("numerusform")]
        else:
            texts = [translation.text or ""]
        if not texts or any(not t.strip() for t in texts):
            problems.append(f"{where}: empty translation")
            continue
        for text in texts:
            if sorted(set(PLACEHOLDER.findall(source))) != sorted(set(PLACEHOLDER.findall(text))):
                problems.append(f"{where}: placeholders differ in {text!r}")
            if "&" in source and source.count("&") != text.count("&"):
                problems.append(f"{where}: the & (shortcut or entity) count differs in {text!r}")
    return problems


def stale(path, lupdate, root, language, options):
    sources = sorted(glob.glob(os.path.join(root, "ui", "*.cpp")) +
                     glob.glob(os.path.join(root, "app", "studio", "*.cpp")))
    with tempfile.TemporaryDirectory() as tmp:
        fresh = os.path.join(tmp, os.path.basename(path))
        subprocess.run([lupdate, "-silent", "-locations", "none", "-no-obsolete", *options,
                        "-target-language", language, *sources, "-ts", fresh],
                       check=True, stdout=subprocess.DEVNULL)
        wanted = set(entries(fresh))
    have = set(entries(path))
    name = os.path.basename(path)
    problems = [f"{name}: not in the .ts (run the update_translations target and translate): "
                f"{c}: {s!r}" for c, s, _ in sorted(wanted - have)]
    problems += [f"{name}: no longer in the sources (run update_translations): {c}: {s!r}"
                 for c, s, _ in sorted(have - wanted)]
    return problems


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lupdate", required=True)
    parser.add_argument("--root", required=True)
    args = parser.parse_args()
    problems = []
    for name, (language, options) in TRANSLATIONS.items():
        path = os.path.join(args.root, "resources", "translations", name)
        if not os.path.exists(path):
            problems.append(f"{path}: missing")
            continue
        problems += problems_in(path)
        problems += stale(path, args.lupdate, args.root, language, options)
    for p in problems:
        print(p)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
