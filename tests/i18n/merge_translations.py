#!/usr/bin/env python3
"""Fills unfinished entries of a Qt .ts file from other .ts files of the same language: for
merging branches that each translated their own new strings (run lupdate first, so the target
holds every source string, then this, then lupdate again to normalise the file).

Usage: merge_translations.py TARGET.ts SOURCE.ts [SOURCE.ts ...]
An entry is matched by (context, source, comment); only finished translations are copied."""
import sys
import xml.etree.ElementTree as ET


def key(context, message):
    return (context.findtext("name"), message.findtext("source"), message.findtext("comment") or "")


def finished(message):
    t = message.find("translation")
    if t is None or t.get("type") in ("unfinished", "obsolete", "vanished"):
        return None
    if len(t) == 0 and not (t.text or "").strip():
        return None
    return t


def main():
    target_path, sources = sys.argv[1], sys.argv[2:]
    known = {}
    for path in sources:
        for context in ET.parse(path).getroot().iter("context"):
            for message in context.iter("message"):
                t = finished(message)
                if t is not None:
                    known.setdefault(key(context, message), t)
    tree = ET.parse(target_path)
    filled = 0
    for context in tree.getroot().iter("context"):
        for message in context.iter("message"):
            if finished(message) is not None:
                continue
            t = known.get(key(context, message))
            if t is None:
                continue
            old = message.find("translation")
            if old is not None:
                message.remove(old)
            message.append(t)
            filled += 1
    with open(target_path, "wb") as f:
        f.write(b'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE TS>\n')
        tree.write(f, encoding="utf-8", xml_declaration=False)
    print(f"{target_path}: {filled} entries filled")


if __name__ == "__main__":
    main()
