#!/usr/bin/env python3
"""Reads what bench/ads/run left in bench/out/ads/ and prints the table of
BENCHMARKS.md ("Ads"); writes bench/out/ads.json with the machine.

Memory: "B/ad" is the peak resident set less that of the same command on
one ad, per ad: it includes the fixed buffers (two chunks of records in
flight, the workers' scratch), which weigh most at the smallest size.
"marginal" is the growth of the peak from the previous size, per added ad:
what each further ad costs. Runs with the indicator screen show their peak
only: building the screen's pattern database peaks higher than anything a
small run does afterwards.

usage: report.py OUTDIR "SIZES" "SCREEN_SIZES"

Stages come from `vigil ads cluster --stats` (docs/ads.md): CPU seconds of
the workers for parsing and screening (or reading contacts and ages),
normalisation and signatures; CPU seconds of the main thread for the index;
elapsed seconds for networks and output. "Per core" is ads divided by the
CPU seconds of the stage. Clustering is normalisation + signatures + index
+ networks: everything the screen does not already do.
"""
import json
import os
import platform
import subprocess
import sys


def stats(path):
    """The --stats line and the elapsed seconds of a run file."""
    st, wall = None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("vigil: ads stats: "):
                st = json.loads(line[len("vigil: ads stats: "):])
            elif line.startswith("elapsed "):
                wall = float(line.split()[1])
    if st is None:
        sys.exit(f"bench/ads: no stats in {path}")
    st["elapsed"] = wall
    return st


def rate(n, seconds):
    return n / seconds if seconds > 0 else float("inf")


def machine():
    def run(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout
        except OSError:
            return ""
    model = ""
    for line in run(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            model = line.split(":", 1)[1].strip()
    load = os.getloadavg()
    return {"nproc": os.cpu_count(), "cpu": model, "kernel": platform.release(),
            "load_average_at_end": [round(x, 2) for x in load]}


def main():
    out, sizes, screen_sizes = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
    base_c = stats(os.path.join(out, "run-base-contacts.txt"))["peak_rss"]
    base_s = stats(os.path.join(out, "run-base-screen.txt"))["peak_rss"]
    rows, result = [], {"machine": machine(), "contacts_only": {}, "screen": {}}
    print("Contacts only (no indicator screen): CPU per stage as ads/s per core")
    print(f"{'ads':>9} {'read+parse+contacts':>20} {'normalise':>10} {'MinHash':>10} "
          f"{'index':>10} {'clustering':>11} {'wall s':>7} {'ads/s':>9} {'B/ad':>6} {'marginal':>8} "
          f"{'tpl P/R':>13} {'5-sub P/R':>13} {'net P/R':>13}")
    prev = None
    for n in sizes:
        st = stats(os.path.join(out, f"run-contacts-{n}.txt"))
        with open(os.path.join(out, f"run-score-{n}.txt"), encoding="utf-8") as f:
            sc = json.load(f)
        ads = st["added"]
        cluster_s = st["norm_cpu_s"] + st["sign_cpu_s"] + st["index_s"] + st["networks_s"]
        row = {
            "ads": ads,
            "parse_contacts_per_core": rate(ads, st["read_s"] + st["screen_cpu_s"]),
            "norm_per_core": rate(ads, st["norm_cpu_s"]),
            "minhash_per_core": rate(ads, st["sign_cpu_s"]),
            "index_per_core": rate(ads, st["index_s"]),
            "clustering_per_core": rate(ads, cluster_s),
            "elapsed_s": st["elapsed"],
            "ads_per_s": rate(ads, st["elapsed"]),
            "peak_rss": st["peak_rss"],
            "bytes_per_ad": (st["peak_rss"] - base_c) / ads,
            "marginal_bytes_per_ad": ((st["peak_rss"] - prev[1]) / (ads - prev[0])
                                      if prev and ads > prev[0] else None),
            "templates": sc["templates"],
            "templates_max_subs": sc["templates_max_subs"],
            "networks": sc["networks"],
            "stats": st,
        }
        result["contacts_only"][n] = row
        prev = (ads, st["peak_rss"])
        print(f"{ads:>9} {row['parse_contacts_per_core']:>20,.0f} {row['norm_per_core']:>10,.0f} "
              f"{row['minhash_per_core']:>10,.0f} {row['index_per_core']:>10,.0f} "
              f"{row['clustering_per_core']:>11,.0f} {st['elapsed']:>7.1f} "
              f"{row['ads_per_s']:>9,.0f} {row['bytes_per_ad']:>6.0f} "
              f"{(format(row['marginal_bytes_per_ad'], '8.0f') if row['marginal_bytes_per_ad'] else '       -')} "
              f"{sc['templates'][0]:.3f}/{sc['templates'][1]:.3f} "
              f"{sc['templates_max_subs'][0]:.3f}/{sc['templates_max_subs'][1]:.3f} "
              f"{sc['networks'][0]:.3f}/{sc['networks'][1]:.3f}")
    if screen_sizes:
        print("\nEnd to end with the indicator screen")
        print(f"{'ads':>9} {'screen/core':>12} {'clustering/core':>16} {'wall s':>7} "
              f"{'ads/s':>9} {'peak MB':>8}")
    for n in screen_sizes:
        st = stats(os.path.join(out, f"run-screen-{n}.txt"))
        ads = st["added"]
        cluster_s = st["norm_cpu_s"] + st["sign_cpu_s"] + st["index_s"] + st["networks_s"]
        row = {
            "ads": ads,
            "screen_per_core": rate(ads, st["screen_cpu_s"]),
            "clustering_per_core": rate(ads, cluster_s),
            "elapsed_s": st["elapsed"],
            "ads_per_s": rate(ads, st["elapsed"]),
            "peak_rss": st["peak_rss"],
            "stats": st,
        }
        result["screen"][n] = row
        print(f"{ads:>9} {row['screen_per_core']:>12,.0f} {row['clustering_per_core']:>16,.0f} "
              f"{st['elapsed']:>7.1f} {row['ads_per_s']:>9,.0f} {st['peak_rss'] / 1e6:>8.0f}")
    result["baseline_rss"] = {"contacts_only": base_c, "screen": base_s}
    print(f"\nmachine: {json.dumps(result['machine'])}")
    with open(os.path.join(os.path.dirname(out.rstrip("/")), "ads.json"), "w",
              encoding="utf-8") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
