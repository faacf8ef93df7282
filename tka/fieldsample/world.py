"""The true month: companies, workers, dependants and their documents, before any clerk writes them down."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field

from tka.fieldsample.spelling import (
    COMPANY_WORDS_A,
    COMPANY_WORDS_B,
    KBLI,
    KECAMATAN_WEIGHTS,
    NATIONALITY_WEIGHTS,
    POSITIONS,
)

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
DIGITS = "0123456789"
LETTERS = "ABCDEFGHJKLMNPRSTUVWXYZ"

# Family and given names per nationality (latin script); Chinese names also carry hanzi.
CN_FAMILY = {"WANG": "王", "LI": "李", "ZHANG": "张", "LIU": "刘", "CHEN": "陈", "YANG": "杨", "HUANG": "黄",
             "ZHAO": "赵", "WU": "吴", "ZHOU": "周", "XU": "徐", "SUN": "孙", "MA": "马", "ZHU": "朱", "HU": "胡",
             "GUO": "郭", "HE": "何", "LIN": "林", "LUO": "罗", "GAO": "高", "ZHENG": "郑", "LIANG": "梁",
             "XIE": "谢", "TANG": "唐", "FENG": "冯", "DENG": "邓", "CAO": "曹", "PENG": "彭", "ZENG": "曾",
             "TIAN": "田", "DONG": "董", "PAN": "潘", "YUAN": "袁", "JIANG": "蒋", "CAI": "蔡", "YU": "余"}
CN_GIVEN = {"WEI": "伟", "FANG": "芳", "MIN": "敏", "JING": "静", "QIANG": "强", "LEI": "磊", "JUN": "军",
            "YONG": "勇", "JIE": "杰", "TAO": "涛", "MING": "明", "CHAO": "超", "HUA": "华", "PING": "平",
            "GANG": "刚", "HUI": "辉", "BIN": "斌", "BO": "波", "HAO": "浩", "KAI": "凯", "XIANG": "翔",
            "PENGFEI": "鹏飞", "XUEFENG": "雪峰", "ZHIWEI": "志伟", "JIANHUA": "建华", "HAIBO": "海波",
            "GUOQIANG": "国强", "WENJIE": "文杰", "XIAOLONG": "小龙", "YUNFEI": "云飞", "DEMING": "德明",
            "CHUNLEI": "春雷", "SHAOHUA": "少华", "ZHENYU": "振宇", "TIANYI": "天翼", "RUOXI": "若曦"}
NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "KOR": (("KIM", "PARK", "CHOI", "JUNG", "KANG", "YOON", "JANG", "LIM", "HAN", "SHIN"),
            ("MINJUN", "SEOJUN", "DOYUN", "JIHO", "HYUNWOO", "SUNGMIN", "JAEHYUK", "YOUNGHO", "SOYEON")),
    "JPN": (("SATO", "SUZUKI", "TAKAHASHI", "TANAKA", "WATANABE", "ITO", "YAMAMOTO", "NAKAMURA", "KOBAYASHI"),
            ("HIROSHI", "TAKESHI", "KENJI", "YUTA", "DAISUKE", "SHOTA", "KAZUKI", "HARUTO", "AKIRA")),
    "IND": (("SHARMA", "SINGH", "KUMAR", "PATEL", "REDDY", "NAIR", "IYER", "GUPTA", "MEHTA", "RAO"),
            ("RAJESH", "SURESH", "ANIL", "VIKRAM", "ARJUN", "PRAKASH", "SANJAY", "RAVI", "DEEPAK", "MANOJ")),
    "PHL": (("SANTOS", "REYES", "CRUZ", "BAUTISTA", "OCAMPO", "GARCIA", "MENDOZA", "TORRES", "VILLANUEVA"),
            ("JOSE", "RODEL", "MARLON", "JAYSON", "ARNEL", "ROWENA", "JERICHO", "DANILO", "RICARDO")),
    "MYS": (("ABDULLAH", "RAHMAN", "ISMAIL", "HASSAN", "OTHMAN", "TAN", "LEE", "WONG", "NG"),
            ("AZMAN", "FAIZAL", "HAFIZ", "SYAFIQ", "KAMAL", "CHEE KEONG", "WEI MING", "AHMAD", "RIDZUAN")),
}
WESTERN_FAMILY = ("SMITH", "JOHNSON", "BROWN", "TAYLOR", "WILSON", "MUELLER", "SCHMIDT", "DUBOIS", "MARTIN",
                  "IVANOV", "PETROV", "YILMAZ", "KAYA", "VAN DIJK", "DE VRIES", "NGUYEN", "TRAN", "PRETORIUS",
                  "WALKER", "CAMPBELL", "ANDERSON", "FISCHER", "LEFEBVRE", "SOKOLOV", "CELIK", "JANSEN")
WESTERN_GIVEN = ("JAMES", "MICHAEL", "DAVID", "PETER", "THOMAS", "ANDREW", "STEFAN", "PIERRE", "DMITRY",
                 "MEHMET", "PIETER", "MARK", "ROBERT", "KLAUS", "OLIVIER", "SERGEI", "EMRE", "JOHAN", "SOMCHAI",
                 "BRENDAN", "MATTHEW", "ANTON", "HUGO", "IGOR", "BURAK", "WILLEM", "MINH", "DUC")
WESTERN_MIDDLE = ("JOHN", "PAUL", "ALEXANDER", "MARIE", "EDWARD", "LEE", "ANTHONY", "WILLIAM")
BIRTH_PLACES = {"CHN": ("HUNAN", "SICHUAN", "FUJIAN", "JIANGSU", "HEBEI", "HENAN"), "IND": ("CHENNAI", "PUNE"),
                "KOR": ("SEOUL", "BUSAN"), "JPN": ("TOKYO", "OSAKA"), "PHL": ("MANILA", "CEBU")}


@dataclass
class Company:
    """One employer: its NIB, registry facts, sites and how it reports."""

    nib: str
    name: str
    kbli: str
    kecamatan: str
    in_registry: bool
    must_report: bool
    sends: bool
    sites: list[str]
    split: str  # "" | "site" | "kontraktor" | "batch"
    revision: str  # "" | "revisi" | "perbaikan" | "(1)"
    fmt: str
    broken: str  # "" | "empty" | "pdf"


@dataclass
class Person:
    """A worker or a dependant, with every document they hold."""

    pid: str
    kind: str
    nationality: str
    family: str
    given: str
    middle: str
    hanzi: str
    sex: str
    birth: dt.date
    passports: list[str]
    company: str
    companies: list[str]
    site: str
    position: str
    kitas: str
    kitas_start: dt.date
    kitas_end: dt.date
    rptka: str
    rptka_start: dt.date
    rptka_end: dt.date
    notif: str
    notif_start: dt.date
    notif_end: dt.date
    permit_type: str
    holder: str = ""
    relation: str = ""
    in_sources: set[str] = field(default_factory=set)

    @property
    def name(self) -> str:
        """The name as the passport prints it, family name first for East Asians."""
        parts = [self.family, self.given] if self.nationality in ("CHN", "KOR", "JPN", "TWN") else \
            [self.given, self.middle, self.family]
        return " ".join(p for p in parts if p)


@dataclass
class World:
    """Everything true about the month."""

    period: str
    p0: dt.date
    companies: list[Company]
    persons: list[Person]


def rng_for(seed: int, *key: object) -> random.Random:
    """A generator of its own for one part of the month, so parts do not depend on each other."""
    digest = hashlib.sha256("|".join(map(str, (seed, *key))).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _passport(rng: random.Random, nat: str) -> str:
    def d(n: int) -> str:
        return "".join(rng.choice(DIGITS) for _ in range(n))

    if nat == "CHN":
        return rng.choice(["E" + d(8), "E" + rng.choice(LETTERS) + d(7)])
    if nat == "KOR":
        return "M" + d(3) + rng.choice(LETTERS) + d(4) if rng.random() < 0.6 else "M" + d(8)
    if nat == "JPN":
        return rng.choice(("TK", "TR", "MZ", "TS")) + d(7)
    if nat == "IND":
        return rng.choice(LETTERS) + d(7)
    if nat == "PHL":
        return "P" + d(7) + rng.choice(LETTERS)
    if nat == "MYS":
        return rng.choice("AHK") + d(8)
    if nat == "USA":
        return rng.choice([d(9), rng.choice(LETTERS) + d(8)])
    if nat == "GBR":
        return "1" + d(8)
    if nat == "AUS":
        return rng.choice(("PA", "PB", "N")) + d(7)
    return rng.choice(LETTERS) + rng.choice(LETTERS) + d(7)


def _name(rng: random.Random, nat: str) -> tuple[str, str, str, str]:
    """(family, given, middle, hanzi)."""
    if nat in ("CHN", "TWN", "SGP") and (nat == "CHN" or rng.random() < 0.6):
        fam = rng.choice(sorted(CN_FAMILY))
        giv = rng.choice(sorted(CN_GIVEN))
        return fam, giv, "", CN_FAMILY[fam] + CN_GIVEN[giv]
    if nat in NAMES:
        fams, givs = NAMES[nat]
        return rng.choice(fams), rng.choice(givs), "", ""
    middle = rng.choice(WESTERN_MIDDLE) if rng.random() < 0.35 else ""
    return rng.choice(WESTERN_FAMILY), rng.choice(WESTERN_GIVEN), middle, ""


def _company_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = f"PT {rng.choice(COMPANY_WORDS_A)} {rng.choice(COMPANY_WORDS_A)} {rng.choice(COMPANY_WORDS_B)}"
        if rng.random() < 0.2:
            name += " " + rng.choice(("Indonesia", "Utama", "Abadi", "Group"))
        if name not in used and len(set(name.split())) == len(name.split()):
            used.add(name)
            return name.upper()


SCALES = {"kukar": {"workers": 1100, "companies": 32}, "national": {"workers": 66000, "companies": 780}}


def build_world(period: str, scale: str, seed: int) -> World:
    """Companies and persons of the month, from the seed alone."""
    rng = rng_for(seed, period, scale, "world")
    size = SCALES[scale]
    year, month = (int(x) for x in period.split("-"))
    p0 = dt.date(year, month, 1)
    kecs, kec_w = list(KECAMATAN_WEIGHTS), list(KECAMATAN_WEIGHTS.values())
    used: set[str] = set()
    nibs: set[str] = set()
    companies: list[Company] = []
    for _ in range(size["companies"]):
        nib = ""
        while not nib or nib in nibs:
            nib = str(rng.choice((1, 2, 8, 9))) + "".join(rng.choice(DIGITS) for _ in range(12))
        nibs.add(nib)
        kec = rng.choices(kecs, kec_w)[0]
        split = rng.choices(["", "site", "kontraktor", "batch"], [80, 8, 6, 6])[0]
        sites = [kec] if split != "site" else [kec, *rng.sample([k for k in kecs if k != kec], rng.randint(1, 2))]
        companies.append(Company(
            nib=nib, name=_company_name(rng, used), kbli=rng.choice(KBLI), kecamatan=kec,
            in_registry=rng.random() < 0.93, must_report=rng.random() < 0.95, sends=rng.random() < 0.88,
            sites=sites, split=split,
            revision=rng.choices(["", "revisi", "perbaikan", "(1)"], [91, 3, 3, 3])[0],
            fmt=rng.choices(["xlsx", "xls", "csv"], [80, 10, 10])[0],
            broken=""))
    # Company sizes are skewed: a few big mines, many small contractors.
    weights = [rng.paretovariate(1.3) for _ in companies]
    nats, nat_w = list(NATIONALITY_WEIGHTS), list(NATIONALITY_WEIGHTS.values())
    persons: list[Person] = []
    rptka_pool: dict[str, tuple[str, dt.date, dt.date, int]] = {}
    for i in range(size["workers"]):
        comp = rng.choices(companies, weights)[0]
        nat = rng.choices(nats, nat_w)[0]
        fam, giv, mid, hanzi = _name(rng, nat)
        birth = p0 - dt.timedelta(days=rng.randint(23 * 365, 62 * 365))
        passports = [_passport(rng, nat)]
        if rng.random() < 0.07:  # renewed this year: the old number still lingers in some offices
            passports.insert(0, _passport(rng, nat))
        key = comp.nib
        pool = rptka_pool.get(key)
        if pool is None or pool[3] >= rng.randint(3, 9):
            start = p0 - dt.timedelta(days=rng.randint(30, 600))
            pool = (f"B.3/{rng.randint(10000, 199999)}/PK.04.00/{ROMAN[start.month - 1]}/{start.year}", start,
                    start + dt.timedelta(days=rng.choice((365, 540, 730))), 0)
        rptka_pool[key] = (*pool[:3], pool[3] + 1)
        notif_start = max(pool[1], p0 - dt.timedelta(days=rng.randint(10, 330)))
        permit = rng.choices(["Baru", "Perpanjangan", "Jangka Pendek"], [50, 45, 5])[0]
        notif_end = notif_start + dt.timedelta(days=180 if permit == "Jangka Pendek" else 365)
        kitas_start = notif_start + dt.timedelta(days=rng.randint(5, 25))
        kitas = "2" + rng.choice("CD") + "".join(rng.choice(DIGITS + "ABCDEFGHJKLMNPQRSTUVWXYZ")
                                                 for _ in range(9)) + "-" + rng.choice("ABCDEFGHJKLMN")
        companies_of = [comp.nib]
        if rng.random() < 0.03:
            companies_of.append(rng.choice([c for c in companies if c.nib != comp.nib]).nib)
        persons.append(Person(
            pid=f"W{i + 1:05d}", kind="worker", nationality=nat, family=fam, given=giv, middle=mid, hanzi=hanzi,
            sex="P" if rng.random() < 0.12 else "L", birth=birth, passports=passports, company=comp.nib,
            companies=companies_of, site=rng.choice(comp.sites), position=rng.choice(POSITIONS), kitas=kitas,
            kitas_start=kitas_start, kitas_end=kitas_start + dt.timedelta(days=rng.choice((180, 365, 365))),
            rptka=pool[0], rptka_start=pool[1], rptka_end=pool[2],
            notif=f"B.3/{rng.randint(100000, 999999)}/PK.04.01/{ROMAN[notif_start.month - 1]}/{notif_start.year}",
            notif_start=notif_start, notif_end=notif_end, permit_type=permit))
    dependants: list[Person] = []
    for worker in persons:
        if rng.random() >= 0.08:
            continue
        family = [("spouse", 1)] + [("child", n) for n in range(1, rng.choice((1, 1, 2, 3)))]
        for relation, _ in family:
            fam, giv, mid, hanzi = _name(rng, worker.nationality)
            if relation == "child" or worker.nationality not in ("CHN", "KOR", "TWN"):
                fam = worker.family  # children, and wives outside China, carry the holder's family name
            age_days = rng.randint(25 * 365, 55 * 365) if relation == "spouse" else rng.randint(200, 17 * 365)
            dep_start = worker.kitas_start + dt.timedelta(days=rng.randint(0, 20))
            dependants.append(Person(
                pid=f"D{len(dependants) + 1:05d}", kind="dependant", nationality=worker.nationality, family=fam,
                given=giv, middle=mid, hanzi=hanzi if worker.nationality == "CHN" else "",
                sex=("P" if worker.sex == "L" else "L") if relation == "spouse" else rng.choice("LP"),
                birth=p0 - dt.timedelta(days=age_days),
                passports=[_passport(rng, worker.nationality)], company=worker.company, companies=[],
                site=worker.site, position="", kitas="2" + rng.choice("CD") + "".join(
                    rng.choice(DIGITS + "ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(9)) + "-" + rng.choice("ABC"),
                kitas_start=dep_start, kitas_end=dep_start + dt.timedelta(days=365), rptka="",
                rptka_start=p0, rptka_end=p0, notif="", notif_start=p0, notif_end=p0, permit_type="",
                holder=worker.pid, relation=relation))
    return World(period=period, p0=p0, companies=companies, persons=persons + dependants)
