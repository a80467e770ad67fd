#!/usr/bin/env python3
"""Turns one bench/intake run into a table and bench/out/intake.json.

Usage: report.py WORK_DIR OUT_JSON SECONDS NARRATIVE_BYTES CLIENTS...

WORK_DIR holds ref-own-C.json and ref-shared-C.json (sqlite_ref's lines
with one connection per client and with one shared connection) and
srv-C.json (tip.lua's RESULT line) for every concurrency C. The ratio is
vigil's rate over a reference's rate at the same concurrency. The issue's
target is at least 0.5 of the own-connection reference at 64 clients; the
ratio to the shared-connection reference, whose serialised commits are
what vigil's store does, is printed beside it. The machine description goes into the JSON so that a result is
never read without knowing where it came from.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from machine import command, machine  # noqa: E402  (bench/machine.py)

TARGET_CLIENTS = 64
TARGET_RATIO = 0.5


def versions():
    return {
        "sqlite": command("sqlite3", "--version").split(" ")[0],
        "wrk": command("sh", "-c", "wrk -v 2>&1 | head -1").split(" [")[0],
    }


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.loads(f.read())


def reference(line):
    return {k: line[k] for k in ("rate", "p50_ms", "p99_ms", "max_ms", "rows",
                                 "busy_retries")}


def main():
    work, out_path, seconds, narrative = sys.argv[1:5]
    clients = [int(c) for c in sys.argv[5:]]
    results = []
    for c in clients:
        own = load(os.path.join(work, f"ref-own-{c}.json"))
        shared = load(os.path.join(work, f"ref-shared-{c}.json"))
        srv = load(os.path.join(work, f"srv-{c}.json"))
        results.append({
            "clients": c,
            "reference_own": reference(own),
            "reference_shared": reference(shared),
            "vigil": {"rate": srv["rate"], "p50_ms": srv["p50_ms"],
                      "p99_ms": srv["p99_ms"], "max_ms": srv["max_ms"],
                      "rows": srv["requests"]},
            "ratio": round(srv["rate"] / own["rate"], 3),
            "ratio_shared": round(srv["rate"] / shared["rate"], 3),
        })
    report = {
        "machine": {**machine(work), **versions()},
        "seconds_per_run": int(seconds),
        "narrative_bytes": int(narrative),
        "command": (f"VIGIL_BENCH_SECONDS={seconds} VIGIL_BENCH_CLIENTS='"
                    f"{' '.join(map(str, clients))}' VIGIL_BENCH_NARRATIVE="
                    f"{narrative} bench/intake/run"),
        "target": {"clients": TARGET_CLIENTS, "min_ratio": TARGET_RATIO},
        "results": results,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

    print()
    print(f"{'':>7}  {'reference, own conn.':>24}  {'reference, shared conn.':>24}"
          f"  {'vigil':>24}  {'vigil / reference':>17}")
    print(f"{'clients':>7}  " + f"{'rows/s':>8} {'p50 ms':>7} {'p99 ms':>7}  " * 3
          + f"{'own':>8} {'shared':>8}")
    for r in results:
        cells = ""
        for k in ("reference_own", "reference_shared", "vigil"):
            x = r[k]
            cells += f"{x['rate']:>8.0f} {x['p50_ms']:>7.2f} {x['p99_ms']:>7.2f}  "
        print(f"{r['clients']:>7}  {cells}{r['ratio']:>8.2f} {r['ratio_shared']:>8.2f}")
    at_target = [r for r in results if r["clients"] == TARGET_CLIENTS]
    if at_target:
        ratio = at_target[0]["ratio"]
        verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
        print(f"\ntarget (vigil >= {TARGET_RATIO} x own-connection reference at "
              f"{TARGET_CLIENTS} clients): {verdict}, ratio {ratio:.2f}"
              f" (to the shared-connection reference: "
              f"{at_target[0]['ratio_shared']:.2f})")
    print(f"written: {out_path}")


if __name__ == "__main__":
    main()
