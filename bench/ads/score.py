#!/usr/bin/env python3
"""Pairwise precision and recall of `vigil ads cluster --assign` against the
truth that bench/adgen writes into each ad ("truth": {"template", "network",
"subs", ...}).

usage: score.py ADS.jsonl ASSIGN.jsonl [--json]

Two ads are a true template pair when they come from the same template, a
true network pair when they come from the same network; a predicted pair
when vigil put them in the same cluster (network). Precision is the share
of predicted pairs that are true, recall the share of true pairs that were
predicted. "5 subs" counts only pairs with at least one ad that had the
most substitutions the generator makes (5 by default).
"""
import json
import sys
from collections import Counter


def pairs(n):
    return n * (n - 1) // 2


def score(truth, pred, mark=None):
    """Pairwise (precision, recall); with mark, only pairs with a marked ad."""
    cells, by_pred, by_truth = Counter(), Counter(), Counter()
    cells_m, by_pred_m, by_truth_m = Counter(), Counter(), Counter()
    for i, (t, p) in enumerate(zip(truth, pred)):
        cells[(t, p)] += 1
        by_pred[p] += 1
        by_truth[t] += 1
        if mark is not None and mark[i]:
            cells_m[(t, p)] += 1
            by_pred_m[p] += 1
            by_truth_m[t] += 1

    def total(c, cm):
        if mark is None:
            return sum(pairs(n) for n in c.values())
        # Pairs with at least one marked ad: all pairs less the unmarked ones.
        return sum(pairs(n) - pairs(n - cm.get(k, 0)) for k, n in c.items())

    tp = total(cells, cells_m)
    pp = total(by_pred, by_pred_m)
    tt = total(by_truth, by_truth_m)
    return (tp / pp if pp else 1.0, tp / tt if tt else 1.0, tt)


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    truth = {}
    max_subs = 0
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            ad = json.loads(line)
            t = ad["truth"]
            truth[ad["id"]] = (t["template"], t["network"], t["subs"])
            max_subs = max(max_subs, t["subs"])
    tt, tn, pt, pn, marked = [], [], [], [], []
    with open(sys.argv[2], encoding="utf-8") as f:
        for line in f:
            a = json.loads(line)
            if a["id"] not in truth:
                continue
            t = truth[a["id"]]
            tt.append(t[0])
            tn.append(t[1])
            pt.append(a["cluster"])
            pn.append(a["network"])
            marked.append(t[2] == max_subs)
    res = {
        "ads": len(tt),
        "templates": score(tt, pt),
        "networks": score(tn, pn),
        "templates_max_subs": score(tt, pt, marked),
        "max_subs": max_subs,
    }
    if "--json" in sys.argv:
        print(json.dumps({k: (list(v) if isinstance(v, tuple) else v) for k, v in res.items()}))
        return
    print(f"{res['ads']} ads")
    for k in ("templates", "networks", "templates_max_subs"):
        p, r, n = res[k]
        label = k if k != "templates_max_subs" else f"templates, pairs with a {max_subs}-substitution ad"
        print(f"{label}: precision {p:.4f} recall {r:.4f} ({n} true pairs)")


if __name__ == "__main__":
    main()
