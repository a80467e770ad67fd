#!/usr/bin/env python3
"""Counts test cases in meson's testlog.json and prints "N passed, N failed".

Each test program prints TAP, so a case is an "ok" or "not ok" line. A
program that failed without reporting a failing case (it crashed, timed
out, or printed no plan) counts as one more failure, so nothing that went
wrong can vanish from the count.
"""
import json
import re
import sys

passed = failed = 0
with open(sys.argv[1], encoding="utf-8") as log:
    for line in log:
        if not line.strip():
            continue
        test = json.loads(line)
        out = test.get("stdout") or ""
        oks = len(re.findall(r"^ok\b", out, re.M))
        not_oks = len(re.findall(r"^not ok\b", out, re.M))
        skips = len(re.findall(r"^ok\b.*# SKIP", out, re.M | re.I))
        passed += oks - skips
        failed += not_oks
        if test.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and not_oks == 0:
            failed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
