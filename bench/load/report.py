#!/usr/bin/env python3
"""Turns one bench/load run into a table and bench/out/load.json.

Usage: report.py RESULTS_DIR OUT_JSON SECONDS CONNECTIONS NAME:PATH...

RESULTS_DIR holds NAME-vigil.json and NAME-nginx.json (get.lua's RESULT
lines) for every path. The ratio is vigil's rate over nginx's for the
same body. Exits 1 if any request of either server was not answered 200
or wrk counted any socket error: the issue asks for zero errors.
"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from machine import command, machine  # noqa: E402  (bench/machine.py)

ERRORS = ("non_200", "connect_errors", "read_errors", "write_errors",
          "timeouts", "status_errors")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.loads(f.read())


def main():
    results_dir, out_path, seconds, conns = sys.argv[1:5]
    rows, bad = [], []
    for spec in sys.argv[5:]:
        name, path = spec.split(":", 1)
        r = {"name": name, "path": path}
        for server in ("vigil", "nginx"):
            x = load(os.path.join(results_dir, f"{name}-{server}.json"))
            r[server] = {k: x[k] for k in ("rate", "p50_ms", "p99_ms", "max_ms",
                                           "requests")}
            errors = {k: x[k] for k in ERRORS if x[k]}
            if errors:
                bad.append(f"{server} {path}: {errors}")
        r["ratio"] = round(r["vigil"]["rate"] / r["nginx"]["rate"], 3)
        rows.append(r)
    report = {
        "machine": {**machine(results_dir),
                    "wrk": command("sh", "-c", "wrk -v 2>&1 | head -1").split(" [")[0],
                    "nginx": command("sh", "-c", "nginx -v 2>&1")},
        "seconds_per_run": int(seconds),
        "connections": int(conns),
        "command": (f"VIGIL_BENCH_SECONDS={seconds} VIGIL_BENCH_CONNECTIONS={conns} "
                    "bench/load/run"),
        "errors": bad,
        "results": rows,
    }
    with open(out_path, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
        f.write("\n")

    print()
    print(f"{'path':<24} {'vigil req/s':>11} {'p50 ms':>7} {'p99 ms':>7}"
          f"  {'nginx req/s':>11} {'p50 ms':>7} {'p99 ms':>7}  {'ratio':>6}")
    for r in rows:
        v, n = r["vigil"], r["nginx"]
        print(f"{r['path']:<24} {v['rate']:>11.0f} {v['p50_ms']:>7.2f} {v['p99_ms']:>7.2f}"
              f"  {n['rate']:>11.0f} {n['p50_ms']:>7.2f} {n['p99_ms']:>7.2f}"
              f"  {r['ratio']:>6.3f}")
    print(f"written: {out_path}")
    if bad:
        print("errors (the run fails):\n  " + "\n  ".join(bad))
        sys.exit(1)


if __name__ == "__main__":
    main()
