#!/usr/bin/env python3
"""bench/screen/four-grams.py - writes data/indicators/four-grams.tsv.

Phase one of the matcher (src/screen/rules_scan.c) keys each string it looks
for by one run of four bytes in it, and tests the four bytes at every place
in the text against the keys: the rarer the keys are in text, the fewer
places are compared in vain. "her passport" keyed by "her " is compared at
every "her "; keyed by "sspo", almost only where it is. This script counts
the runs of four bytes in prose that the project wrote itself and lists
those seen more than once, for the matcher to key each string by its least
common run (those not listed count as 0).

The prose: the tips in English and Spanish of the labelled corpus
(tests/corpus/*.jsonl), folded as the screen folds text (lower case, no
accents), as bench/screen/common-words.py reads it. Not the benchmark
corpus: the list must not be fitted to what is measured.

A space is written as "_"; runs that hold a "_", a tab or a byte outside
printable ASCII are left out.

Usage: bench/screen/four-grams.py [--min N] [OUT]   (from the top of the
tree; OUT: data/indicators/four-grams.tsv; N: 2, the fewest times counted)
"""
import argparse
import glob
import json
import sys
import unicodedata
from collections import Counter


def fold(text):
    """Lower case without accents, as the screen normalises text."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--min", type=int, default=2)
    ap.add_argument("out", nargs="?", default="data/indicators/four-grams.tsv")
    a = ap.parse_args()
    counts = Counter()
    for path in sorted(glob.glob("tests/corpus/*.jsonl")):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    text = fold(json.loads(line)["text"])
                    for i in range(len(text) - 3):
                        counts[text[i:i + 4]] += 1
    rows = [(g, n) for g, n in counts.items()
            if n >= a.min and "_" not in g and all(" " <= c <= "~" for c in g)]
    rows.sort(key=lambda r: (-r[1], r[0]))
    with open(a.out, "w", encoding="utf-8") as f:
        f.write("# Runs of four bytes: how many times each was counted in the tips of\n")
        f.write("# tests/corpus, a space written as \"_\". Phase one of the matcher keys each\n")
        f.write("# string by its least common run; they change no pattern's meaning.\n")
        f.write("# Written by bench/screen/four-grams.py: do not edit by hand.\n")
        f.write("gram\tcount\tsource\n")
        for g, n in rows:
            f.write(f"{g.replace(' ', '_')}\t{n}\tcounted in the tips of tests/corpus\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
