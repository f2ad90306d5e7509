#!/usr/bin/env python3
"""Validates evaluation sets against the file contract (standard library only).

    python3 data/eval/check.py data/eval/febrl4 data/eval/febrl3 data/eval/japanese

With no arguments, checks every subdirectory of data/eval that has a register.csv.
Exits non-zero on any problem.
"""
import csv
import datetime
import os
import re
import sys
from collections import Counter

REGISTER = ["my_number", "name_kanji", "name_kana", "birth_date", "sex", "address",
            "household_id"]
REGISTER_OPTIONAL = ["death_date"]
LINKS = ["link_id", "my_number", "category", "institution", "name_kanji", "name_kana",
         "birth_date", "sex", "address", "link_method"]
TRUTH = ["link_id", "label", "pattern", "true_my_number"]
CATEGORIES = {"tax", "health_insurance", "pension", "disability", "public_fund_account"}
METHODS = {"number_on_application", "registry_query_4", "registry_query_3", "batch_match",
           "manual"}
LABELS = {"wrong", "correct"}


def check_digit(body):
    q = [2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6]
    r = sum(int(p) * w for p, w in zip(reversed(body), q)) % 11
    return 0 if r <= 1 else 11 - r


def valid_number(s):
    return bool(re.fullmatch(r"\d{12}", s)) and int(s[11]) == check_digit(s[:11])


def valid_date(s):
    if s == "":
        return True
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        return False
    try:
        datetime.date.fromisoformat(s)
    except ValueError:
        return False
    return True


class Problems:
    def __init__(self, name):
        self.name, self.items, self.counts = name, [], Counter()

    def add(self, where, msg):
        self.counts[msg] += 1
        if self.counts[msg] <= 5:
            self.items.append(f"{self.name}/{where}: {msg}")


def read(path, header, optional, probs):
    with open(path, newline="", encoding="utf-8") as f:
        raw = f.read()
    if raw.startswith("\ufeff"):
        probs.add(os.path.basename(path), "byte order mark")
    rows = list(csv.reader(raw.splitlines()))
    got = rows[0]
    if got[:len(header)] != header or any(c not in optional for c in got[len(header):]):
        probs.add(os.path.basename(path), f"header {got} != {header} (+{optional})")
    out = []
    for n, r in enumerate(rows[1:], 2):
        if len(r) != len(got):
            probs.add(f"{os.path.basename(path)}:{n}", "wrong number of cells")
            continue
        out.append((n, dict(zip(got, r))))
    return out


def check_set(d):
    probs = Problems(os.path.basename(os.path.normpath(d)))
    reg = read(os.path.join(d, "register.csv"), REGISTER, REGISTER_OPTIONAL, probs)
    numbers = Counter()
    for n, r in reg:
        w = f"register.csv:{n}"
        if not valid_number(r["my_number"]):
            probs.add(w, "invalid my_number")
        numbers[r["my_number"]] += 1
        if not valid_date(r["birth_date"]):
            probs.add(w, "invalid birth_date")
        if not valid_date(r.get("death_date", "")):
            probs.add(w, "invalid death_date")
        if r["sex"] not in ("M", "F", ""):
            probs.add(w, "invalid sex")
    for num, c in numbers.items():
        if c > 1:
            probs.add("register.csv", "duplicate my_number")

    links = read(os.path.join(d, "links.csv"), LINKS, [], probs)
    link_ids = Counter()
    linked = {}
    for n, r in links:
        w = f"links.csv:{n}"
        link_ids[r["link_id"]] += 1
        linked[r["link_id"]] = r["my_number"]
        if not r["link_id"]:
            probs.add(w, "empty link_id")
        if not valid_number(r["my_number"]):
            probs.add(w, "invalid my_number")
        elif r["my_number"] not in numbers:
            probs.add(w, "linked my_number not in register")
        if r["category"] not in CATEGORIES:
            probs.add(w, f"invalid category {r['category']!r}")
        if not r["institution"]:
            probs.add(w, "empty institution")
        if r["link_method"] not in METHODS:
            probs.add(w, f"invalid link_method {r['link_method']!r}")
        if not valid_date(r["birth_date"]):
            probs.add(w, "invalid birth_date")
        if r["sex"] not in ("M", "F", ""):
            probs.add(w, "invalid sex")
    for lid, c in link_ids.items():
        if c > 1:
            probs.add("links.csv", "duplicate link_id")

    truth = read(os.path.join(d, "truth.csv"), TRUTH, [], probs)
    seen = Counter()
    labels = Counter()
    for n, r in truth:
        w = f"truth.csv:{n}"
        seen[r["link_id"]] += 1
        labels[r["label"]] += 1
        if r["link_id"] not in linked:
            probs.add(w, "link_id not in links.csv")
        if r["label"] not in LABELS:
            probs.add(w, f"invalid label {r['label']!r}")
        if not r["pattern"]:
            probs.add(w, "empty pattern")
        if r["true_my_number"] not in numbers:
            probs.add(w, "true_my_number not in register")
        lk = linked.get(r["link_id"])
        if lk is not None:
            if r["label"] == "correct" and r["true_my_number"] != lk:
                probs.add(w, "correct link whose true_my_number is not the linked number")
            if r["label"] == "wrong" and r["true_my_number"] == lk:
                probs.add(w, "wrong link whose true_my_number is the linked number")
    for lid in linked:
        if lid not in seen:
            probs.add("truth.csv", "link_id missing from truth")
    for lid, c in seen.items():
        if c > 1:
            probs.add("truth.csv", "duplicate link_id")

    print(f"{probs.name}: register {len(reg)}, links {len(links)}, truth {len(truth)} "
          f"({dict(sorted(labels.items()))}): "
          + ("OK" if not probs.counts else f"{sum(probs.counts.values())} problems"))
    for p in probs.items:
        print("  " + p)
    for msg, c in probs.counts.items():
        if c > 5:
            print(f"  ... {msg}: {c} in all")
    return not probs.counts


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    dirs = sys.argv[1:] or sorted(
        os.path.join(here, x) for x in os.listdir(here)
        if os.path.isfile(os.path.join(here, x, "register.csv")))
    if not dirs:
        print("no sets found")
        return 1
    ok = all([check_set(d) for d in dirs])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
