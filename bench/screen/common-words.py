#!/usr/bin/env python3
"""bench/screen/common-words.py - writes data/indicators/common-words.tsv.

The matcher (src/screen/rules.c) picks in each branch of a pattern a run of
plain text that every match contains, and looks for it first; the rarer the
run, the fewer places it is checked in vain. It rates a run by its letters,
which cannot tell that "has", "call" or "tiene" are among the commonest words
of any text. This script counts the words of prose that the project wrote
itself, English and Spanish apart, and lists the commonest of each language
with their counts, for the matcher to take such words as common.

The prose: the tips in English and in Spanish that the project wrote for its
labelled corpus (tests/corpus/*.jsonl), which read like the texts the screen
is given. Not the benchmark corpus: the list must not be fitted to what is
measured. (The documentation and the Spanish catalogue were tried too: their
commonest words are those of a manual, "case", "line", "guardar", and the
screen was no faster with them; see BENCHMARKS.md, "Screen".)

Usage: bench/screen/common-words.py [--top N] [OUT]   (from the top of the
tree; OUT: data/indicators/common-words.tsv; N: 200 words per language)
"""
import argparse
import glob
import json
import re
import sys
import unicodedata
from collections import Counter

WORD = re.compile(r"[a-z]+")


def fold(text):
    """Lower case without accents, as the screen normalises text."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def corpus_prose(lang):
    """The texts of the labelled corpus in one language."""
    out = []
    for path in sorted(glob.glob("tests/corpus/*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    tip = json.loads(line)
                    if tip.get("language") == lang:
                        out.append(tip["text"])
    return " ".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--top", type=int, default=200)
    ap.add_argument("out", nargs="?", default="data/indicators/common-words.tsv")
    a = ap.parse_args()
    rows = []
    for lang, name in (("en", "English"), ("es", "Spanish")):
        source = f"the {name} tips of tests/corpus"
        counts = Counter(WORD.findall(fold(corpus_prose(lang))))
        for word, n in counts.most_common(a.top):
            rows.append((word, lang, n, source))
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("# Common words: the commonest words of tips in English and Spanish, with\n")
        f.write("# how many times each was counted. The matcher does not look first for a\n")
        f.write("# run of text made only of these words when a rarer one will do; they change no\n")
        f.write("# pattern's meaning. Written by bench/screen/common-words.py: do not edit by hand.\n")
        f.write("word\tlang\tcount\tsource\n")
        for word, lang, n, source in rows:
            f.write(f"{word}\t{lang}\t{n}\tcounted in {source}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
