#!/usr/bin/env python3
"""A naive reference checker (standard library only).

A link is called `wrong_person` when any attribute the link holds (non-empty cell among
name_kanji, name_kana, birth_date, sex, address) differs from the register entry of the
linked number after trivial normalization: Unicode NFKC, then all whitespace removed.
Otherwise it is called fine. Prints precision/recall/F1 for the `wrong` label per set, and
with --detail the share flagged per truth pattern.

    python3 data/eval/baseline.py [--detail] [SET_DIR ...]
"""
import argparse
import csv
import os
import re
import unicodedata
from collections import Counter

FIELDS = ["name_kanji", "name_kana", "birth_date", "sex", "address"]


def norm(s):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def run(d, detail):
    with open(os.path.join(d, "register.csv"), newline="", encoding="utf-8") as f:
        reg = {r["my_number"]: r for r in csv.DictReader(f)}
    with open(os.path.join(d, "truth.csv"), newline="", encoding="utf-8") as f:
        truth = {r["link_id"]: r for r in csv.DictReader(f)}
    tp = fp = fn = tn = 0
    by_pattern = Counter()
    flagged_by_pattern = Counter()
    with open(os.path.join(d, "links.csv"), newline="", encoding="utf-8") as f:
        for link in csv.DictReader(f):
            r = reg[link["my_number"]]
            flag = any(link[c] and norm(link[c]) != norm(r[c]) for c in FIELDS)
            t = truth[link["link_id"]]
            wrong = t["label"] == "wrong"
            tp += flag and wrong
            fp += flag and not wrong
            fn += (not flag) and wrong
            tn += (not flag) and not wrong
            key = (t["label"], t["pattern"])
            by_pattern[key] += 1
            flagged_by_pattern[key] += flag
    p = tp / (tp + fp) if tp + fp else 0.0
    rc = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * rc / (p + rc) if p + rc else 0.0
    name = os.path.basename(os.path.normpath(d))
    print(f"{name}: links {tp + fp + fn + tn}, wrong {tp + fn}; flagged {tp + fp}; "
          f"TP {tp} FP {fp} FN {fn}; precision {p:.3f} recall {rc:.3f} F1 {f1:.3f}")
    if detail:
        # For correct links with several kinds of noise, also aggregate per single kind.
        per_kind, per_kind_flag = Counter(), Counter()
        for (label, pattern), n in by_pattern.items():
            if label == "wrong":
                print(f"  wrong   {pattern:<28} {n:6d}  flagged {flagged_by_pattern[(label, pattern)] / n:6.1%}")
            else:
                for kind in pattern.split("+"):
                    per_kind[kind] += n
                    per_kind_flag[kind] += flagged_by_pattern[(label, pattern)]
        for kind, n in per_kind.most_common():
            print(f"  correct {kind:<28} {n:6d}  flagged {per_kind_flag[kind] / n:6.1%}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--detail", action="store_true")
    ap.add_argument("sets", nargs="*")
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    dirs = args.sets or sorted(
        os.path.join(here, x) for x in os.listdir(here)
        if os.path.isfile(os.path.join(here, x, "register.csv")))
    for d in dirs:
        run(d, args.detail)


if __name__ == "__main__":
    main()
