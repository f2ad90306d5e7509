#!/usr/bin/env python3
"""An independent Japanese evaluation set for link verification (standard library only).

Written from scratch for evaluation; it does not import, call or imitate the project's Rust
generator (src/generator). It only reads the shared name/place tables in data/
(surnames.tsv, given_names.tsv, municipalities.tsv, towns.tsv; see data/SOURCES.md).

    python3 data/eval/make_japanese.py --residents 20000 --out data/eval/japanese

Writes register.csv, links.csv and truth.csv (see data/eval/README.md for the contract, every
error pattern and every kind of harmless noise) and prints the counts.
"""
import argparse
import bisect
import csv
import datetime as dt
import itertools
import os
import random
import sys
import unicodedata
from collections import Counter, defaultdict

SEED = 2023_0601
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.normpath(os.path.join(HERE, ".."))
TODAY = dt.date(2024, 12, 31)
MIN_BIRTH = dt.date(1930, 1, 1)

REGISTER_HEADER = ["my_number", "name_kanji", "name_kana", "birth_date", "sex", "address",
                   "household_id", "death_date"]
LINKS_HEADER = ["link_id", "my_number", "category", "institution", "name_kanji", "name_kana",
                "birth_date", "sex", "address", "link_method"]
TRUTH_HEADER = ["link_id", "label", "pattern", "true_my_number"]

# Which attributes each category's snapshot holds (tax holds sex only sometimes, see below).
HOLDS = {
    "health_insurance": ("kanji", "kana", "birth", "sex", "address"),
    "tax": ("kanji", "birth", "address"),
    "pension": ("kanji", "kana", "birth", "sex"),
    "disability": ("kanji", "kana", "birth", "sex", "address"),
    "public_fund_account": ("kana",),
}
TAX_HOLDS_SEX = 0.3

LINK_METHODS = {  # independent of the label on purpose
    "health_insurance": [("batch_match", 35), ("registry_query_4", 30), ("registry_query_3", 15),
                         ("number_on_application", 15), ("manual", 5)],
    "tax": [("number_on_application", 70), ("registry_query_4", 15), ("batch_match", 10),
            ("manual", 5)],
    "pension": [("registry_query_4", 50), ("registry_query_3", 20),
                ("number_on_application", 25), ("manual", 5)],
    "disability": [("number_on_application", 50), ("manual", 20), ("registry_query_4", 20),
                   ("registry_query_3", 10)],
    "public_fund_account": [("number_on_application", 100)],
}

WRONG_SHARES = [  # share of the wrong links per error pattern
    ("same_kana_other_person", 0.13),
    ("same_name_other_person", 0.15),
    ("family_member_number", 0.25),
    ("guardian_on_certificate", 0.10),
    ("shared_terminal_account", 0.15),
    ("random_other", 0.22),
]
ACCOUNT_IN_FAMILY_NAME_RATE = 0.006  # of all links

NOISE_WEIGHTS = {
    "long_vowel": 3, "missing_space": 3, "half_width_kana": 3, "hiragana_kana": 1.5,
    "kanji_variant": 2, "ocr_kanji": 1.5, "kana_typo": 2, "date_digit_typo": 2,
    "date_day_month_swap": 1, "year_off_by_one": 1, "address_notation": 4, "address_typo": 2,
    "moved_not_reflected": 5, "marriage_surname": 5, "foreign_romaji": 12, "missing_fields": 2,
}
EXCLUSIVE = [{"half_width_kana", "hiragana_kana"},
             {"date_digit_typo", "date_day_month_swap", "year_off_by_one"},
             {"marriage_surname", "foreign_romaji"}]

# ---------------------------------------------------------------- kana and kanji tables
GOJUON = [  # rows of the kana table, columns a i u e o (None = no kana)
    "アイウエオ", "カキクケコ", "サシスセソ", "タチツテト", "ナニヌネノ", "ハヒフヘホ",
    "マミムメモ", "ヤ.ユ.ヨ", "ラリルレロ", "ワ...ヲ", "ガギグゲゴ", "ザジズゼゾ", "ダヂヅデド",
    "バビブベボ", "パピプペポ",
]
VOWEL = {}
POS = {}
for r, row in enumerate(GOJUON):
    for c, ch in enumerate(row):
        if ch != ".":
            VOWEL[ch] = "aiueo"[c]
            POS[ch] = (r, c)
for ch, v in zip("ァィゥェォャュョッヴ", "aiueoauouu"):
    VOWEL[ch] = v
GRID = {pos: ch for ch, pos in POS.items()}

SMALL = dict(zip("アイウエオヤユヨツ", "ァィゥェォャュョッ"))
SMALL.update({v: k for k, v in list(SMALL.items())})
TYPO_SWAP = {"ヅ": "ズ", "ズ": "ヅ", "ヂ": "ジ", "ジ": "ヂ", "ヲ": "オ", "オ": "ヲ"}

KANJI_VARIANT = {
    "高": "髙", "髙": "高", "崎": "﨑", "﨑": "崎", "辺": "邊", "邊": "辺", "邉": "辺",
    "齋": "斉", "斎": "齋", "齊": "斉", "斉": "齊", "沢": "澤", "澤": "沢", "浜": "濱", "濱": "浜",
    "国": "國", "國": "国", "島": "嶋", "嶋": "島", "広": "廣", "廣": "広", "桜": "櫻",
    "竜": "龍", "龍": "竜", "栄": "榮", "実": "實", "真": "眞", "眞": "真", "徳": "德",
    "寿": "壽", "蔵": "藏", "富": "冨", "冨": "富", "条": "條", "関": "關", "滝": "瀧",
    "黒": "黑", "峰": "峯", "峯": "峰", "恵": "惠", "惠": "恵", "桧": "檜", "槙": "槇",
}
OCR_GROUPS = ["未末", "土士", "己已巳", "人入", "大太犬", "千干", "王玉", "日曰", "田由甲申",
              "木本", "力刀", "夫天", "石右", "白自", "鳥烏", "間問", "休体", "幸辛", "崎埼",
              "析折", "貝見", "侍待", "輪論", "陽湯", "綾緑", "雄碓"]
OCR = {}
for g in OCR_GROUPS:
    for ch in g:
        OCR[ch] = [o for o in g if o != ch]

HALF = {}
for cp in range(0xFF61, 0xFFA0):
    h = chr(cp)
    full = unicodedata.normalize("NFKC", h)
    if len(full) == 1 and full not in HALF:
        HALF[full] = h
    for mark in "\uff9e\uff9f":
        comp = unicodedata.normalize("NFKC", h + mark)
        if len(comp) == 1:
            HALF[comp] = h + mark
HALF["\u3000"] = " "

KANJI_DIGIT = "〇一二三四五六七八九"


def kanji_num(n):
    if n < 10:
        return KANJI_DIGIT[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else KANJI_DIGIT[tens]) + "十" + (KANJI_DIGIT[ones] if ones else "")


def to_half(s):
    return "".join(HALF.get(c, c) for c in s)


def to_hira(s):
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in s)


def full_digits(s):
    return "".join(chr(ord(c) - 0x30 + 0xFF10) if c.isdigit() and c.isascii() else
                   ("－" if c == "-" else c) for c in s)


# ---------------------------------------------------------------- foreign residents
FOREIGN_FAMILY = [  # romaji, katakana, variant spellings
    ("SMITH", "スミス", ["SMYTH"]), ("JOHNSON", "ジョンソン", ["JONSON"]),
    ("BROWN", "ブラウン", ["BRAUN"]), ("WILLIAMS", "ウィリアムズ", ["WILLIAMES"]),
    ("MILLER", "ミラー", ["MILLAR"]), ("GARCIA", "ガルシア", ["GARSIA"]),
    ("SILVA", "シルバ", ["SYLVA"]), ("SANTOS", "サントス", ["SANTOZ"]),
    ("NGUYEN", "グエン", ["NGUEN"]), ("TRAN", "チャン", ["TRANH"]), ("KIM", "キム", ["GIM"]),
    ("LEE", "リー", ["LI"]), ("PARK", "パク", ["PAK"]), ("WANG", "ワン", ["WONG"]),
    ("MARTIN", "マーティン", ["MARTYN"]), ("TAYLOR", "テイラー", ["TAILOR"]),
    ("ANDERSON", "アンダーソン", ["ANDERSEN"]), ("MULLER", "ミュラー", ["MUELLER"]),
    ("ROSSI", "ロッシ", ["ROSI"]), ("PEREZ", "ペレス", ["PERES"]), ("CRUZ", "クルス", ["CRUS"]),
    ("KUMAR", "クマール", ["KUMAAR"]), ("REYES", "レイエス", ["REYEZ"]),
]
FOREIGN_GIVEN = [
    ("JOHN", "ジョン", "M", ["JON"]), ("MICHAEL", "マイケル", "M", ["MICHEAL"]),
    ("DAVID", "デイビッド", "M", ["DAVIT"]), ("STEPHEN", "スティーブン", "M", ["STEVEN"]),
    ("CARLOS", "カルロス", "M", ["KARLOS"]), ("MINH", "ミン", "M", ["MIN"]),
    ("PEDRO", "ペドロ", "M", []), ("THOMAS", "トーマス", "M", ["TOMAS"]),
    ("RAJ", "ラジ", "M", ["RAAJ"]), ("MARIA", "マリア", "F", ["MARYA"]),
    ("ANNA", "アンナ", "F", ["ANA"]), ("SARAH", "サラ", "F", ["SARA"]),
    ("EMILY", "エミリー", "F", ["EMILIE"]), ("LINH", "リン", "F", ["LIN"]),
    ("JESSICA", "ジェシカ", "F", ["JESICA"]), ("SOPHIE", "ソフィー", "F", ["SOFIE"]),
    ("CATHERINE", "キャサリン", "F", ["KATHERINE"]), ("HANNAH", "ハンナ", "F", ["HANA"]),
]


# ---------------------------------------------------------------- helpers
def check_digit(body):
    q = [2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6]
    r = sum(int(p) * w for p, w in zip(reversed(body), q)) % 11
    return 0 if r <= 1 else 11 - r


def read_tsv(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        rows = list(csv.reader(f, delimiter="\t"))
    return rows[0], rows[1:]


class Weighted:
    def __init__(self, items, weights):
        self.items = list(items)
        self.cum = list(itertools.accumulate(weights))

    def pick(self, rng):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


def weighted_pick(rng, pairs):
    items, weights = zip(*pairs)
    return rng.choices(items, weights)[0]


def rand_date(rng, lo, hi):
    lo, hi = max(lo, MIN_BIRTH), min(hi, TODAY)
    if hi < lo:
        return None
    return lo + dt.timedelta(days=rng.randrange((hi - lo).days + 1))


def age(birth):
    return TODAY.year - birth.year - ((TODAY.month, TODAY.day) < (birth.month, birth.day))


# ---------------------------------------------------------------- population
class Person:
    __slots__ = ("idx", "number", "fk", "fn", "gk", "gn", "sex", "birth", "death", "hh", "addr",
                 "prev_addr", "maiden", "foreign", "parents", "kanji_sep", "kana_sep", "muni")

    def __init__(self, **kw):
        self.maiden = None
        self.foreign = None
        self.parents = []
        self.death = None
        self.prev_addr = None
        for k, v in kw.items():
            setattr(self, k, v)

    def kanji(self):
        return self.fk + self.kanji_sep + self.gk

    def kana(self):
        return self.fn + self.kana_sep + self.gn


class Population:
    def __init__(self, rng, n_target):
        self.rng = rng
        _, s = read_tsv("surnames.tsv")
        self.surnames = Weighted([(k, kana) for k, kana, _ in s], [float(w) for *_, w in s])
        self.kana_to_surnames = defaultdict(list)
        for k, kana, _ in s:
            if k not in self.kana_to_surnames[kana]:
                self.kana_to_surnames[kana].append(k)
        _, g = read_tsv("given_names.tsv")
        self.given = {sx: Weighted([(k, kana) for k, kana, s2, _ in g if s2 == sx],
                                   [float(w) for k, kana, s2, w in g if s2 == sx])
                      for sx in "MF"}
        self.kana_to_given = defaultdict(list)
        for k, kana, sx, _ in g:
            self.kana_to_given[(kana, sx)].append(k)
        _, m = read_tsv("municipalities.tsv")
        self.munis = [(code, pref, name) for code, pref, name, _ in m]
        _, t = read_tsv("towns.tsv")
        self.towns = Weighted([r[0] for r in t], [1.0 / (i + 20) for i in range(len(t))])
        self.people = []
        self.households = {}  # hh id -> list of person idx
        self.exact_pairs, self.kana_pairs = [], []
        self.twins = 0
        self.build(n_target)

    # -- addresses (structured; rendered by render_address)
    def new_address(self, muni=None):
        rng = self.rng
        muni = muni or rng.choice(self.munis)
        a = {"code": muni[0], "pref": muni[1], "muni": muni[2], "town": self.towns.pick(rng),
             "chome": rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 7]) if rng.random() < 0.75 else None,
             "ban": rng.randint(1, 30), "go": rng.randint(1, 25), "bldg": None, "room": None}
        if rng.random() < 0.33:
            base = rng.choice([a["town"], self.surnames.pick(rng)[0], "グリーン", "サン", "ロイヤル"])
            a["bldg"] = rng.choice([base + "ハイツ", base + "コーポ", "メゾン" + base,
                                    base + "マンション", base + "ビル", base + "レジデンス",
                                    base + "荘"])
            a["room"] = f"{rng.randint(1, 9)}{rng.randint(1, 12):02d}"
        return a

    def given_name(self, sex, avoid=()):
        for _ in range(50):
            gk, gn = self.given[sex].pick(self.rng)
            if gk not in avoid:
                return gk, gn
        return gk, gn

    def person(self, hh, addr, fk, fn, sex, birth, foreign=None, gk=None, gn=None, avoid=()):
        rng = self.rng
        if foreign is None and gk is None:
            gk, gn = self.given_name(sex, avoid)
        sep = rng.choice([" ", "\u3000"])
        p = Person(idx=len(self.people), number=None, fk=fk, fn=fn, gk=gk, gn=gn, sex=sex,
                   birth=birth, hh=hh, addr=addr, kanji_sep=sep, kana_sep=sep, muni=addr["code"])
        if foreign is not None:
            p.foreign = foreign
        self.people.append(p)
        self.households.setdefault(hh, []).append(p.idx)
        return p

    def children(self, hh, addr, fk, fn, mother_birth, parents, n):
        rng = self.rng
        used = []
        for _ in range(n):
            birth = rand_date(rng, mother_birth + dt.timedelta(days=365 * 22),
                              mother_birth + dt.timedelta(days=365 * 42))
            if birth is None:
                return
            twin = rng.random() < 0.02
            for _t in range(2 if twin else 1):
                sex = rng.choice("MF")
                if _t == 1 and rng.random() < 0.5:
                    sex = first_sex
                c = self.person(hh, addr, fk, fn, sex, birth, avoid=used)
                used.append(c.gk)
                c.parents = [p.idx for p in parents]
                first_sex = sex
            self.twins += twin

    def household(self, hid):
        rng = self.rng
        hh = f"HH{hid:06d}"
        addr = self.new_address()
        prev = self.new_address() if rng.random() < 0.15 else None
        if prev is not None and rng.random() < 0.4:  # moved within the municipality
            prev = self.new_address((addr["code"], addr["pref"], addr["muni"]))
        start = len(self.people)
        kind = weighted_pick(rng, [("single", 28), ("couple", 22), ("family", 30),
                                   ("single_parent", 7), ("three_gen", 8), ("foreign", 2.6)])
        if kind == "foreign":
            fam = rng.choice(FOREIGN_FAMILY)
            head_sex = rng.choice("MF")
            members = [(head_sex, rand_date(rng, dt.date(1950, 1, 1), dt.date(2003, 12, 31)))]
            if rng.random() < 0.5:
                members.append(("F" if head_sex == "M" else "M",
                                members[0][1] + dt.timedelta(days=rng.randint(-2000, 2000))))
            parents = []
            for sx, b in members:
                giv = rng.choice([x for x in FOREIGN_GIVEN if x[2] == sx])
                parents.append(self.person(hh, addr, fam[1], fam[1], sx, b,
                                           foreign=(fam, giv), gk=giv[1], gn=giv[1]))
            if len(members) == 2 and rng.random() < 0.5:
                mb = [p for p in parents if p.sex == "F"][0].birth
                b = rand_date(rng, mb + dt.timedelta(days=365 * 24), mb + dt.timedelta(days=365 * 40))
                if b:
                    sx = rng.choice("MF")
                    giv = rng.choice([x for x in FOREIGN_GIVEN if x[2] == sx])
                    c = self.person(hh, addr, fam[1], fam[1], sx, b, foreign=(fam, giv),
                                    gk=giv[1], gn=giv[1])
                    c.parents = [p.idx for p in parents]
        else:
            fk, fn = self.surnames.pick(rng)
            if kind == "single":
                sx = rng.choice("MF")
                self.person(hh, addr, fk, fn, sx,
                            rand_date(rng, dt.date(1930, 1, 1), dt.date(2006, 12, 31)))
            elif kind == "single_parent":
                mb = rand_date(rng, dt.date(1960, 1, 1), dt.date(1998, 12, 31))
                parent = self.person(hh, addr, fk, fn, "F" if rng.random() < 0.85 else "M", mb)
                self.children(hh, addr, fk, fn, mb, [parent], rng.randint(1, 2))
            else:
                hb = rand_date(rng, dt.date(1930, 1, 1) if kind == "couple" else dt.date(1945, 1, 1),
                               dt.date(2000, 12, 31))
                wb = hb + dt.timedelta(days=rng.randint(-1500, 3000))
                h = self.person(hh, addr, fk, fn, "M", hb)
                w = self.person(hh, addr, fk, fn, "F", wb, avoid=[h.gk])
                married_in = w if rng.random() < 0.96 else h
                for _ in range(10):
                    mk, mn = self.surnames.pick(rng)
                    if mk != fk and mn != fn:
                        married_in.maiden = (mk, mn)
                        break
                if kind in ("family", "three_gen"):
                    self.children(hh, addr, fk, fn, w.birth, [h, w], weighted_pick(
                        rng, [(1, 35), (2, 45), (3, 20)]))
                if kind == "three_gen":
                    gb = rand_date(rng, hb - dt.timedelta(days=365 * 38),
                                   hb - dt.timedelta(days=365 * 22))
                    if gb and gb >= MIN_BIRTH:
                        g = self.person(hh, addr, fk, fn, rng.choice("MF"), gb)
                        h.parents = [g.idx]
        for p in self.people[start:]:
            p.prev_addr = prev

    def build(self, n_target):
        rng = self.rng
        n_clone_pairs = round(0.015 * n_target)
        hid = 0
        while len(self.people) < n_target - n_clone_pairs:
            hid += 1
            self.household(hid)
        # Namesakes: a copy of an existing identity living alone in another municipality.
        adults = [p for p in self.people if p.foreign is None and age(p.birth) >= 18]
        for src in rng.sample(adults, n_clone_pairs):
            hid += 1
            hh = f"HH{hid:06d}"
            while True:
                addr = self.new_address()
                if addr["code"] != src.muni:
                    break
            if rng.random() < 0.7:
                fk, gk = src.fk, src.gk
                pairs = self.exact_pairs
            else:  # same kana, birth and sex; kanji differs where another spelling exists
                alts = [k for k in self.kana_to_surnames[src.fn] if k != src.fk]
                galts = [k for k in self.kana_to_given[(src.gn, src.sex)] if k != src.gk]
                fk = rng.choice(alts) if alts else src.fk
                gk = rng.choice(galts) if galts else src.gk
                pairs = self.exact_pairs if (fk, gk) == (src.fk, src.gk) else self.kana_pairs
            c = self.person(hh, addr, fk, src.fn, src.sex, src.birth, gk=gk, gn=src.gn)
            pairs.append((src.idx, c.idx))
        # Deaths.
        for p in self.people:
            pr = 0.10 if p.birth.year < 1950 else 0.01
            if rng.random() < pr:
                p.death = rand_date(rng, max(dt.date(2016, 1, 1), p.birth + dt.timedelta(days=1)),
                                    dt.date(2024, 11, 30))
        # My Numbers: serials handed out in shuffled order, so households are not consecutive.
        order = list(range(len(self.people)))
        rng.shuffle(order)
        for serial, i in enumerate(order, 1):
            body = f"{50_000_000_000 + serial:011d}"
            self.people[i].number = body + str(check_digit(body))


def render_address(a, style=()):
    """style: subset of {'hyphen','banchi','kanji_num','full_width','no_pref','no_space'}."""
    c, b, g = a["chome"], a["ban"], a["go"]
    num = (lambda n: kanji_num(n)) if "kanji_num" in style else str
    if "hyphen" in style:
        core = "-".join(str(x) for x in (c, b, g) if x is not None)
    elif "banchi" in style:
        core = (f"{num(c)}丁目" if c else "") + f"{num(b)}番地{num(g)}"
    else:
        core = (f"{num(c)}丁目" if c else "") + f"{num(b)}番{num(g)}号"
    s = ("" if "no_pref" in style else a["pref"]) + a["muni"] + a["town"] + core
    if a["bldg"]:
        s += (" " if "space_bldg" in style else "") + a["bldg"] + a["room"]
    if "full_width" in style:
        s = full_digits(s)
    return s


# ---------------------------------------------------------------- snapshots and noise
class Snap:
    """The institution's copy of one identity, before rendering."""

    def __init__(self, p, category, inst_sep, holds):
        self.p = p
        self.fk, self.gk, self.fn, self.gn = p.fk, p.gk, p.fn, p.gn
        self.kanji_sep = inst_sep
        self.kana_sep = inst_sep
        self.kana_form = "full"
        self.romaji = None
        self.birth = p.birth
        self.sex = p.sex
        self.addr = dict(p.addr)
        self.addr_style = ()
        self.holds = set(holds)
        self.blank = set()
        self.touched = set()

    def cells(self):
        h = self.holds - self.blank
        kanji = self.romaji if self.romaji is not None else self.fk + self.kanji_sep + self.gk
        kana = self.fn + self.kana_sep + self.gn
        if self.kana_form == "half":
            kana = to_half(kana)
        elif self.kana_form == "hira":
            kana = to_hira(kana)
        return [kanji if "kanji" in h else "", kana if "kana" in h else "",
                self.birth.isoformat() if "birth" in h else "",
                self.sex if "sex" in h else "",
                render_address(self.addr, self.addr_style) if "address" in h else ""]


def _kana_positions(s, pred):
    return [i for i in range(len(s)) if pred(i)]


def noise_long_vowel(rng, s):
    cands = []
    for part in ("fn", "gn"):
        k = getattr(s, part)
        for i in range(1, len(k)):
            prev = VOWEL.get(k[i - 1])
            if k[i] == "ウ" and prev in ("o", "u"):
                cands.append((part, i, "ー"))
            elif k[i] == "オ" and prev == "o":
                cands.append((part, i, "ー"))
            elif k[i] == "イ" and prev == "e":
                cands.append((part, i, "ー"))
            elif k[i] == "ー" and prev:
                cands.append((part, i, {"o": "ウ", "u": "ウ", "e": "イ", "a": "ア", "i": "イ"}[prev]))
    if not cands:
        return False
    part, i, ch = rng.choice(cands)
    k = getattr(s, part)
    setattr(s, part, k[:i] + ch + k[i + 1:])
    return True


def noise_kana_typo(rng, s):
    part = rng.choice(["fn", "gn"])
    k = getattr(s, part)
    ops = []
    for i, ch in enumerate(k):
        if ch in SMALL and not (ch in "ァィゥェォャュョッ" and i == 0):
            ops.append(("swap", i, SMALL[ch]))
        if ch in TYPO_SWAP:
            ops.append(("swap", i, TYPO_SWAP[ch]))
        if ch in POS:
            r, c = POS[ch]
            for nb in ((r, c - 1), (r, c + 1), (r - 1, c), (r + 1, c)):
                if nb in GRID and (r < 10) == (nb[0] < 10):
                    ops.append(("swap", i, GRID[nb]))
    if len(k) >= 3:
        ops.append(("drop", rng.randrange(1, len(k)), None))
    ops.append(("double", rng.randrange(len(k)), None))
    op, i, ch = rng.choice(ops)
    if op == "swap":
        new = k[:i] + ch + k[i + 1:]
    elif op == "drop":
        new = k[:i] + k[i + 1:]
    else:
        new = k[:i + 1] + k[i] + k[i + 1:]
    if new == k:
        return False
    setattr(s, part, new)
    return True


def noise_kanji_map(rng, s, table):
    cands = [(part, i) for part in ("fk", "gk") for i, ch in enumerate(getattr(s, part))
             if ch in table]
    if not cands:
        return False
    part, i = rng.choice(cands)
    k = getattr(s, part)
    rep = table[k[i]]
    rep = rng.choice(rep) if isinstance(rep, list) else rep
    setattr(s, part, k[:i] + rep + k[i + 1:])
    return True


def valid_date(y, m, d):
    try:
        x = dt.date(y, m, d)
    except ValueError:
        return None
    return x if x <= TODAY and x.year >= 1900 else None


def noise_date_digit(rng, s):
    digits = s.birth.strftime("%Y%m%d")
    for _ in range(40):
        i = rng.randrange(8)
        nd = str(rng.choice([x for x in range(10) if str(x) != digits[i]]))
        t = digits[:i] + nd + digits[i + 1:]
        x = valid_date(int(t[:4]), int(t[4:6]), int(t[6:]))
        if x:
            s.birth = x
            return True
    return False


def noise_dm_swap(rng, s):
    b = s.birth
    if b.day == b.month:
        return False
    x = valid_date(b.year, b.day, b.month)
    if x:
        s.birth = x
        return True
    return False


def noise_year(rng, s):
    for d in rng.sample([-1, 1], 2):
        x = valid_date(s.birth.year + d, s.birth.month, s.birth.day)
        if x:
            s.birth = x
            return True
    return False


def noise_address_notation(rng, s):
    options = [("hyphen",), ("banchi",), ("full_width",), ("no_pref",), ("kanji_num",),
               ("hyphen", "full_width"), ("no_pref", "hyphen"), ("space_bldg",)]
    options = [o for o in options if render_address(s.addr, o) != render_address(s.addr)]
    if not options:
        return False
    s.addr_style = rng.choice(options)
    return True


def noise_address_typo(rng, s):
    a = s.addr
    ops = ["ban", "go"] + (["chome"] if a["chome"] else []) + (["bldg"] if a["bldg"] else [])
    op = rng.choice(ops)
    if op == "bldg":
        a["bldg"] = a["room"] = None
    else:
        a[op] = a[op] + 1 if a[op] == 1 or rng.random() < 0.5 else a[op] - 1
    return True


def noise_moved(rng, s):
    if s.p.prev_addr is None:
        return False
    s.addr = dict(s.p.prev_addr)
    return True


def noise_marriage(rng, s):
    if s.p.maiden is None:
        return False
    s.fk, s.fn = s.p.maiden
    return True


def noise_romaji(rng, s):
    if s.p.foreign is None:
        return False
    fam, giv = s.p.foreign
    f, g = fam[0], giv[0]
    if rng.random() < 0.3 and (fam[2] or giv[3]):
        f = rng.choice(fam[2]) if fam[2] and rng.random() < 0.7 else f
        g = rng.choice(giv[3]) if giv[3] and rng.random() < 0.7 else g
    form = rng.randrange(4)
    s.romaji = [f"{g.title()} {f}", f"{f} {g}", f"{g.title()} {f.title()}", f"{f}, {g.title()}"][form]
    return True


def noise_missing_space(rng, s):
    done = False
    if "kanji" in s.holds and s.romaji is None and rng.random() < 0.7:
        s.kanji_sep = ""
        done = True
    if "kana" in s.holds and (not done or rng.random() < 0.5):
        s.kana_sep = ""
        done = True
    return done


NOISE = {
    "marriage_surname": (("kanji", "kana"), noise_marriage),
    "foreign_romaji": (("kanji",), noise_romaji),
    "kanji_variant": (("kanji",), lambda r, s: noise_kanji_map(r, s, KANJI_VARIANT)),
    "ocr_kanji": (("kanji",), lambda r, s: noise_kanji_map(r, s, OCR)),
    "long_vowel": (("kana",), noise_long_vowel),
    "kana_typo": (("kana",), noise_kana_typo),
    "missing_space": (("kanji", "kana"), noise_missing_space),
    "half_width_kana": (("kana",), lambda r, s: setattr(s, "kana_form", "half") or True),
    "hiragana_kana": (("kana",), lambda r, s: setattr(s, "kana_form", "hira") or True),
    "date_digit_typo": (("birth",), noise_date_digit),
    "date_day_month_swap": (("birth",), noise_dm_swap),
    "year_off_by_one": (("birth",), noise_year),
    "moved_not_reflected": (("address",), noise_moved),
    "address_typo": (("address",), noise_address_typo),
    "address_notation": (("address",), noise_address_notation),
}
ORDER = list(NOISE) + ["missing_fields"]


def applicable(kind, s):
    p = s.p
    if kind == "missing_fields":
        return len(s.holds) >= 2
    needs, _ = NOISE[kind]
    if not any(n in s.holds for n in needs):
        return False
    if kind == "marriage_surname":
        return p.maiden is not None
    if kind == "foreign_romaji":
        return p.foreign is not None
    if kind == "moved_not_reflected":
        return p.prev_addr is not None
    if kind in ("kanji_variant", "ocr_kanji") and p.foreign is not None:
        return False
    return True


def add_noise(rng, s, n_kinds):
    """Applies up to n_kinds kinds of harmless noise; returns the kinds that took effect."""
    cands = [k for k in NOISE_WEIGHTS if applicable(k, s)]
    chosen = []
    while cands and len(chosen) < n_kinds:
        k = rng.choices(cands, [NOISE_WEIGHTS[c] for c in cands])[0]
        chosen.append(k)
        cands = [c for c in cands if c != k and not any(c in g and k in g for g in EXCLUSIVE)]
    done = []
    for kind in ORDER:
        if kind not in chosen:
            continue
        if kind == "missing_fields":
            free = [f for f in sorted(s.holds) if f not in s.touched]
            if not free or len(s.holds) < 2:
                continue
            k = min(len(free), len(s.holds) - 1, rng.choice([1, 1, 2]))
            s.blank.update(rng.sample(free, k))
            done.append(kind)
            continue
        needs, fn = NOISE[kind]
        before = s.cells()
        if fn(rng, s):
            after = s.cells()
            if after != before:
                done.append(kind)
                for f, x, y in zip(("kanji", "kana", "birth", "sex", "address"), before, after):
                    if x != y:
                        s.touched.add(f)
    return done


# ---------------------------------------------------------------- links
def main():
    ap = argparse.ArgumentParser(description="Independent Japanese link-verification set")
    ap.add_argument("--residents", type=int, default=20000)
    ap.add_argument("--out", default=os.path.join(HERE, "japanese"))
    ap.add_argument("--wrong-rate", type=float, default=0.05)
    ap.add_argument("--noise-rate", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=SEED)
    args = ap.parse_args()
    rng = random.Random(args.seed)

    pop = Population(rng, args.residents)
    people = pop.people
    n = len(people)

    # Institutions and their conventions (space width in names).
    banks = [f"bank-{rng.randrange(1, 10000):04d}" for _ in range(40)]
    kenpo = [f"kenpo-{rng.randrange(1, 1000):03d}" for _ in range(60)]
    inst_sep = {}

    def institution(p, cat):
        if cat == "health_insurance":
            if age(p.birth) >= 75:
                code = f"kouki-{p.muni[:2]}"
            elif rng.random() < 0.45:
                code = f"kokuho-{p.muni}"
            else:
                code = rng.choice(kenpo)
        elif cat == "tax":
            code = f"tax-{p.muni}"
        elif cat == "pension":
            code = "nenkin" if rng.random() < 0.85 else f"kyosai-{rng.randrange(1, 20):02d}"
        elif cat == "disability":
            code = f"fukushi-{p.muni}"
        else:
            code = rng.choice(banks)
        if code not in inst_sep:
            inst_sep[code] = rng.choice([" ", "\u3000"])
        return code

    # Plan each person's items (categories).
    def eligible(p):
        a = age(p.birth)
        w = {"health_insurance": 10.0, "disability": 0.5}
        if a >= 16:
            w["tax"] = 6.0 if a >= 18 else 0.5
            w["public_fund_account"] = 5.0
        else:
            w["public_fund_account"] = 1.5
        if a >= 20:
            w["pension"] = 6.0
        return w

    plan = {}
    for p in people:
        w = eligible(p)
        k = min(len(w), weighted_pick(rng, [(1, 35), (2, 35), (3, 20), (4, 10)]))
        cats = []
        while len(cats) < k:
            c = rng.choices(list(w), list(w.values()))[0]
            cats.append(c)
            del w[c]
        plan[p.idx] = cats
    total_planned = sum(len(v) for v in plan.values())

    items = []  # dicts: owner (snapshot person), linked (person), cat, label, pattern, holder
    used = set()  # (owner idx, category) already taken by a special item

    def take(owner, cat):
        if (owner.idx, cat) in used:
            return False
        used.add((owner.idx, cat))
        if cat in plan[owner.idx]:
            plan[owner.idx].remove(cat)
        return True

    n_wrong = round(args.wrong_rate * total_planned)
    targets = {k: round(v * n_wrong) for k, v in WRONG_SHARES}
    households = pop.households
    multi = [h for h, m in households.items() if len(m) >= 2]
    by_muni = defaultdict(list)
    for p in people:
        by_muni[p.muni].append(p)

    def other_person(a, same_muni=False):
        pool = by_muni[a.muni] if same_muni and len(by_muni[a.muni]) > 5 else people
        for tries in itertools.count():
            b = rng.choice(pool if tries < 50 else people)
            if b.hh != a.hh and (b.fn, b.gn, b.birth) != (a.fn, a.gn, a.birth):
                return b

    shortfall = Counter()
    for pattern, want in targets.items():
        made, tries = 0, 0
        while made < want and tries < want * 50:
            tries += 1
            if pattern in ("same_name_other_person", "same_kana_other_person"):
                pool = pop.exact_pairs if pattern == "same_name_other_person" else (
                    pop.kana_pairs if rng.random() < 0.75 or not pop.exact_pairs
                    else pop.exact_pairs)
                if not pool:
                    break
                x, y = rng.choice(pool)
                a, b = (people[x], people[y]) if rng.random() < 0.5 else (people[y], people[x])
                if pattern == "same_name_other_person":
                    cat = weighted_pick(rng, [("health_insurance", 60), ("tax", 35),
                                              ("disability", 5)])
                else:
                    cat = weighted_pick(rng, [("health_insurance", 55), ("pension", 20),
                                              ("public_fund_account", 20), ("disability", 5)])
            elif pattern == "family_member_number":
                hh = rng.choice(multi)
                x, y = rng.sample(households[hh], 2)
                a, b = people[x], people[y]
                cat = weighted_pick(rng, [("health_insurance", 50), ("tax", 15), ("pension", 15),
                                          ("public_fund_account", 15), ("disability", 5)])
                if cat == "pension" and age(a.birth) < 20:
                    cat = "health_insurance"
            elif pattern == "guardian_on_certificate":
                a = rng.choice(people)
                if age(a.birth) >= 18 or not a.parents:
                    continue
                b = people[rng.choice(a.parents)]
                cat = "disability"
            elif pattern == "shared_terminal_account":
                a = rng.choice(people)  # the account holder = true owner
                if age(a.birth) < 16:
                    continue
                b = other_person(a, same_muni=True)
                cat = "public_fund_account"
            else:  # random_other
                a = rng.choice(people)
                b = other_person(a)
                w = eligible(a)  # the same category mix as ordinary items
                cat = rng.choices(list(w), list(w.values()))[0]
            if not take(a, cat):
                continue
            items.append({"owner": a, "linked": b, "cat": cat, "label": "wrong",
                          "pattern": pattern})
            made += 1
        shortfall[pattern] = want - made

    # Accounts in a household member's name (correct, but a separate finding).
    want = round(ACCOUNT_IN_FAMILY_NAME_RATE * total_planned)
    made = 0
    while made < want:
        hh = rng.choice(multi)
        mem = [people[i] for i in households[hh]]
        r = rng.choice(mem)
        if r.parents and rng.random() < 0.8:
            holders = [people[i] for i in r.parents if people[i].hh == r.hh]
        else:
            holders = [m for m in mem if m is not r]
        if not holders or not take(r, "public_fund_account"):
            continue
        items.append({"owner": rng.choice(holders), "linked": r, "cat": "public_fund_account",
                      "label": "correct", "pattern": "account_in_family_name"})
        made += 1

    for p in people:
        for cat in plan[p.idx]:
            items.append({"owner": p, "linked": p, "cat": cat, "label": "correct",
                          "pattern": None})

    rng.shuffle(items)
    os.makedirs(args.out, exist_ok=True)
    noise_counts = {"correct": Counter(), "wrong": Counter()}
    noisy_links = Counter()
    pattern_counts = Counter()
    cat_counts = Counter()
    with open(os.path.join(args.out, "register.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(REGISTER_HEADER)
        for p in sorted(people, key=lambda q: q.number):
            w.writerow([p.number, p.kanji(), p.kana(), p.birth.isoformat(), p.sex,
                        render_address(p.addr), p.hh, p.death.isoformat() if p.death else ""])
    with open(os.path.join(args.out, "links.csv"), "w", newline="", encoding="utf-8") as fl, \
            open(os.path.join(args.out, "truth.csv"), "w", newline="", encoding="utf-8") as ft:
        wl = csv.writer(fl, lineterminator="\n")
        wt = csv.writer(ft, lineterminator="\n")
        wl.writerow(LINKS_HEADER)
        wt.writerow(TRUTH_HEADER)
        for i, it in enumerate(items, 1):
            a, cat = it["owner"], it["cat"]
            # The institution is the one that holds the item of the person who applied.
            applicant = it["linked"] if it["pattern"] == "account_in_family_name" else a
            inst = institution(applicant, cat)
            holds = list(HOLDS[cat])
            if cat == "tax" and rng.random() < TAX_HOLDS_SEX:
                holds.append("sex")
            s = Snap(a, cat, inst_sep[inst], holds)
            kinds = []
            if rng.random() < args.noise_rate:
                kinds = add_noise(rng, s, weighted_pick(rng, [(1, 60), (2, 30), (3, 10)]))
            elif a.foreign is not None and "kanji" in s.holds and rng.random() < 0.6:
                kinds = ["foreign_romaji"] if noise_romaji(rng, s) else []
            noise_counts[it["label"]].update(kinds)
            noisy_links[(it["label"], len(kinds))] += 1
            if it["label"] == "wrong":
                pattern = it["pattern"]
            else:
                parts = ([it["pattern"]] if it["pattern"] else []) + kinds
                pattern = "+".join(parts) if parts else "clean"
            pattern_counts[(it["label"], it["pattern"] or ("noisy" if kinds else "clean"))] += 1
            cat_counts[cat] += 1
            link_id = f"J-{i:07d}"
            method = weighted_pick(rng, LINK_METHODS[cat])
            wl.writerow([link_id, it["linked"].number, cat, inst] + s.cells() + [method])
            true = it["linked"].number if it["label"] == "correct" else a.number
            wt.writerow([link_id, it["label"], pattern, true])

    stats = {
        "register_rows": n,
        "households": len(households),
        "foreign_residents": sum(p.foreign is not None for p in people),
        "deceased": sum(p.death is not None for p in people),
        "married_with_maiden_name": sum(p.maiden is not None for p in people),
        "moved_with_previous_address": sum(p.prev_addr is not None for p in people),
        "twin_births": pop.twins,
        "namesake_pairs_exact": len(pop.exact_pairs),
        "namesake_pairs_same_kana_only": len(pop.kana_pairs),
        "links": len(items),
        "links_by_category": dict(sorted(cat_counts.items())),
        "links_by_label_pattern": dict(sorted(pattern_counts.items())),
        "wrong_pattern_shortfall": dict(shortfall),
        "noise_kinds_on_correct_links": dict(noise_counts["correct"].most_common()),
        "noise_kinds_on_wrong_links": dict(noise_counts["wrong"].most_common()),
        "links_by_label_and_number_of_noise_kinds": dict(sorted(noisy_links.items())),
        "birth_dates_blanked": 0,
    }
    for k, v in stats.items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
