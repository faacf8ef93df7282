"""Word pools of the sample generator: names per nationality, positions, company words, villages.

Domain source: ``/work/shared/docs/domain.md`` ("Implications" §1-5). Everything here is plain data; the
random choices are made by the callers with a seeded ``random.Random``.
"""

from __future__ import annotations

import random
import string


def _words(text: str) -> tuple[str, ...]:
    """The space-separated words of ``text``."""
    return tuple(text.split())


# Nationality mix of Kukar's mining TKA: skewed to CHN, then IND, MYS, AUS, KOR, JPN, PHL; a few without
# passport patterns (THA, VNM, DEU) so the passport_format_unknown warning occurs naturally.
NATIONALITY_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("CHN", 62), ("IND", 8), ("MYS", 6), ("AUS", 5), ("KOR", 5), ("JPN", 4), ("PHL", 4),
    ("USA", 1.5), ("GBR", 1.5), ("THA", 1), ("VNM", 1), ("DEU", 1),
)

# How agencies spell each nationality (domain.md §4.2; all in config/reference.yaml nationality_synonyms).
NATIONALITY_SPELLINGS: dict[str, tuple[str, ...]] = {
    "CHN": ("Tiongkok", "RRT", "China", "Cina", "Republik Rakyat Tiongkok", "CHINA", "TIONGKOK", "RRC"),
    "IND": ("India", "INDIA"),
    "MYS": ("Malaysia", "MALAYSIA"),
    "AUS": ("Australia", "AUSTRALIA"),
    "KOR": ("Korea Selatan", "Korsel", "KOREA SELATAN", "South Korea"),
    "JPN": ("Jepang", "JEPANG", "Japan"),
    "PHL": ("Filipina", "Philipina", "FILIPINA"),
    "USA": ("Amerika Serikat", "USA", "AMERIKA SERIKAT"),
    "GBR": ("Inggris", "Britania Raya", "INGGRIS"),
    "THA": ("Thailand", "THAILAND"),
    "VNM": ("Vietnam", "Viet Nam", "VIETNAM"),
    "DEU": ("Jerman", "JERMAN"),
}
# Values no synonym or country name resolves, not even as a misspelling (tka.read.countries accepts "Tiongkook"
# as Tiongkok): the nationality_unknown injection.
UNKNOWN_NATIONALITIES: tuple[str, ...] = ("WNA", "Eropa", "Asing", "Luar Negeri")

_CHN_SURNAMES = _words("WANG LI ZHANG LIU CHEN YANG HUANG ZHAO WU ZHOU XU SUN MA ZHU HU GUO HE GAO LIN LUO ZHENG "
                 "LIANG XIE SONG TANG HAN FENG DENG CAO PENG ZENG XIAO TIAN DONG PAN YUAN CAI JIANG YU DU YE "
                 "CHENG WEI SU LU DING REN SHEN YAO ZHONG CUI TAN LIAO FAN JIN SHI QIN")
_CHN_SYLLABLES = _words("XUE FENG JIAN HUA MING WEI GUO QIANG JUN HAI YONG PING LEI BIN TAO HONG LIANG CHAO GANG "
                  "DONG JIE KAI PENG HAO YU XIN ZHI WEN YANG LONG SHAN BO FEI HUI JING LI NA YAN XIA MEI LAN "
                  "QING RUI SONG TIAN XIANG YI ZE CHUN DE FU GUANG HENG JIA KANG LIN NING QIU SHENG WU XIAO "
                  "YUAN ZHEN")
# One common character per syllable, for the "Nama Mandarin" column (a plausible rendering, not a transliteration
# authority).
_HANZI_FAMILY: dict[str, str] = dict(zip(
    _CHN_SURNAMES, "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐韩冯邓曹彭曾萧田董潘袁蔡江于杜叶程魏苏卢丁任沈姚钟崔谭廖范金石秦",
    strict=True))
_HANZI_GIVEN: dict[str, str] = dict(zip(
    _CHN_SYLLABLES, "雪峰建华明伟国强军海勇平磊斌涛红亮超刚东杰凯鹏浩宇鑫志文阳龙山波飞辉静丽娜燕霞梅兰庆瑞松天翔毅泽春德福光恒佳康"
                    "琳宁秋胜武晓远振", strict=True))

_GIVEN_FIRST: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # nationality: (male given names, female given names, family names); names written "GIVEN FAMILY"
    "IND": (_words("RAJESH SURESH AMIT VIJAY RAHUL SANJAY ANIL SUNIL PRAKASH RAVI DEEPAK MANOJ ARUN KIRAN VIKRAM "
                  "NAVEEN ASHOK RAMESH GANESH HARISH MAHESH NITIN PRADEEP SANTOSH VINOD"),
            _words("PRIYA ANITA SUNITA DEEPA KAVITA MEERA LAKSHMI"),
            _words("KUMAR SHARMA SINGH PATEL GUPTA REDDY NAIR IYER RAO VERMA JOSHI MEHTA PILLAI DAS MISHRA "
                  "CHOUDHARY BANERJEE MENON")),
    "AUS": (_words("JAMES JOHN MICHAEL DAVID PETER ANDREW MARK PAUL STEVEN ROBERT DANIEL MATTHEW SCOTT BRETT "
                  "GLENN GRAHAM SHANE DARREN"),
            _words("SARAH EMMA JESSICA KAREN LISA"),
            _words("SMITH JONES WILLIAMS BROWN WILSON TAYLOR JOHNSON WHITE MARTIN ANDERSON THOMPSON CAMPBELL "
                  "MITCHELL KELLY MURPHY RYAN WALKER HARRIS")),
    "PHL": (_words("JOSE RONALDO ROGELIO EDGARDO ARNEL RODEL JOMAR RICARDO DANILO ERWIN"),
            _words("MARIA CRISTINA MARICEL JOCELYN"),
            _words("SANTOS REYES CRUZ BAUTISTA GARCIA MENDOZA RAMOS AQUINO VILLANUEVA CASTILLO NAVARRO")),
    "THA": (_words("SOMCHAI SOMSAK PRASERT ANAN WICHAI KITTI CHAIWAT"),
            _words("SUDA MALEE"),
            _words("SRISUK WONGSAWAT CHAIYAPORN SAETANG RATTANAKORN BOONMA")),
    "DEU": (_words("THOMAS MICHAEL STEFAN ANDREAS MARKUS KLAUS JUERGEN FRANK"),
            _words("SABINE ANJA"),
            _words("MUELLER SCHMIDT SCHNEIDER FISCHER WEBER MEYER WAGNER BECKER HOFFMANN")),
}
_GIVEN_FIRST["USA"] = _GIVEN_FIRST["AUS"]
_GIVEN_FIRST["GBR"] = _GIVEN_FIRST["AUS"]

_FAMILY_FIRST: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    # nationality: (family names, male given names, female given names); names written "FAMILY GIVEN"
    "KOR": (_words("KIM LEE PARK CHOI JUNG KANG CHO YOON JANG LIM HAN OH SEO SHIN KWON"),
            _words("MINJUN SEUNGHO JIHOON DONGHYUN SUNGMIN JAEWON HYUNWOO YOUNGSOO SANGWOO TAEHO JUNHO"),
            _words("JIYEON SOYOUNG MINJI EUNJI")),
    "JPN": (_words("SATO SUZUKI TAKAHASHI TANAKA WATANABE ITO YAMAMOTO NAKAMURA KOBAYASHI KATO YOSHIDA YAMADA "
                  "SASAKI MATSUMOTO INOUE"),
            _words("HIROSHI TAKESHI KENJI YUKI DAISUKE KAZUYA MASATO SHINJI TAKUYA RYO KOJI"),
            _words("YUMIKO AKIKO KEIKO")),
    "VNM": (_words("NGUYEN TRAN LE PHAM HOANG VU DANG BUI"),
            _words("VAN_HUNG MINH_TUAN DUC_THANH QUOC_LONG VAN_NAM MINH_HAI DUC_SON"),
            _words("THI_LAN THI_HOA")),
}
_MYS_MALE = _words("AHMAD MUHAMMAD MOHD HAFIZ AZMAN ROSLAN FAIZAL KHAIRUL ZULKIFLI SHAHRUL")
_MYS_FEMALE = _words("NURUL SITI NORAZLINA")
_MYS_FATHER = _words("ABDULLAH ISMAIL HASSAN OTHMAN YUSOF IBRAHIM RAHMAN HAMID")


def person_name(rng: random.Random, nationality: str, male: bool) -> tuple[list[str], str | None]:
    """A realistic name as its printed tokens (family-first for CHN/KOR/JPN/VNM) and the Chinese script if any."""
    if nationality == "CHN":
        family = rng.choice(_CHN_SURNAMES)
        syllables = [rng.choice(_CHN_SYLLABLES) for _ in range(rng.choice((1, 2, 2, 2)))]
        native = _HANZI_FAMILY[family] + "".join(_HANZI_GIVEN[s] for s in syllables)
        return [family, "".join(syllables)], native
    if nationality in _FAMILY_FIRST:
        families, males, females = _FAMILY_FIRST[nationality]
        given = rng.choice(males if male else females)
        return [rng.choice(families), *given.split("_")], None
    if nationality == "MYS":
        first = rng.choice(_MYS_MALE if male else _MYS_FEMALE)
        second = rng.choice(_MYS_MALE)
        return [first, second, "BIN" if male else "BINTI", rng.choice(_MYS_FATHER)], None
    males, females, families = _GIVEN_FIRST[nationality]
    return [rng.choice(males if male else females), rng.choice(families)], None


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


_NO_IO = "ABCDEFGHJKLMNPQRSTUVWXYZ"


def passport_number(rng: random.Random, nationality: str) -> str:
    """A passport number in the nation's pattern (config/reference.yaml passport_patterns); free form otherwise."""
    upper = string.ascii_uppercase
    if nationality == "CHN":
        return rng.choice(("E" + _digits(rng, 8), "E" + rng.choice(_NO_IO) + _digits(rng, 7), "G" + _digits(rng, 8)))
    if nationality == "IND":
        return rng.choice("JKLMNPRSTUVWZ") + _digits(rng, 7)
    if nationality == "KOR":
        return rng.choice(("M" + _digits(rng, 8), "M" + _digits(rng, 3) + rng.choice(upper) + _digits(rng, 4)))
    if nationality == "JPN":
        return rng.choice(("TK", "TZ", "MU", "TR")) + _digits(rng, 7)
    if nationality == "PHL":
        return rng.choice(("P" + _digits(rng, 7) + rng.choice(upper), "EB" + _digits(rng, 7)))
    if nationality == "MYS":
        return rng.choice("AHK") + _digits(rng, 8)
    if nationality == "AUS":
        return rng.choice(("N", "PA", "PB", "E")) + _digits(rng, 7)
    if nationality in ("USA", "GBR"):
        # Some start with 0: stored as a number, the cell loses it (the reader restores it).
        return rng.choice(("0", "5", "1", "6")) + _digits(rng, 8)
    if nationality == "THA":
        return rng.choice(("AA", "AB")) + _digits(rng, 7)
    if nationality == "VNM":
        return rng.choice("BC") + _digits(rng, 7)
    return "C" + rng.choice(_NO_IO) + _digits(rng, 7)  # DEU


POSITIONS: tuple[tuple[str, float], ...] = (
    ("Tenaga Ahli", 14), ("Teknisi", 14), ("Mekanik", 12), ("Manajer", 7), ("Direktur Teknik", 2),
    ("Geologist", 6), ("Mining Engineer", 8), ("Site Manager", 4), ("Supervisor Produksi", 7),
    ("Tenaga Ahli Pengeboran", 4), ("Konsultan", 3), ("Direktur", 2), ("Komisaris", 1), ("Ahli K3", 3),
    ("Surveyor", 3), ("Welder Supervisor", 3), ("Electrical Engineer", 4), ("Plant Manager", 1),
)
POSITIONS_BY_KBLI: dict[str, tuple[str, ...]] = {
    "01262": ("Manajer Kebun", "Tenaga Ahli Agronomi", "Mekanik", "Manajer"),
    "10431": ("Plant Manager", "Teknisi", "Mekanik", "Tenaga Ahli Proses"),
    "41011": ("Site Manager", "Tenaga Ahli Struktur", "Teknisi", "Mekanik"),
    "42101": ("Site Manager", "Tenaga Ahli Jalan", "Teknisi", "Mekanik"),
    "42919": ("Site Manager", "Tenaga Ahli Sipil", "Teknisi", "Welder Supervisor"),
}

# KBLI mix (domain.md §1.4): coal and mining services dominate.
KBLI_WEIGHTS: tuple[tuple[str, float], ...] = (
    ("05100", 34), ("09900", 24), ("05101", 7), ("01262", 9), ("10431", 3), ("06100", 3), ("06201", 2),
    ("09100", 4), ("07295", 2), ("41011", 3), ("42101", 4), ("42919", 5),
)
UNKNOWN_KBLI: tuple[str, ...] = ("05199", "46900", "09901")

_COMPANY_HEAD = _words("BORNEO KALTIM MAHAKAM KUTAI NUSANTARA INDO TUNAS BUMI CAHAYA SINAR MITRA ANUGERAH SUMBER "
                 "GLOBAL MULIA ETAM TENGGARONG KARTANEGARA BENUA SAMUDERA HARAPAN GEMILANG CITRA DWI TRI "
                 "PANCA SURYA BINTANG RAJAWALI")
_COMPANY_MID = _words("PRIMA JAYA ENERGI PERKASA SEJAHTERA MANDIRI ABADI KARYA MAKMUR LESTARI SENTOSA HUTAMA SARANA "
                "UTAMA ALAM MAS BERKAH INTI BARA DAYA PUTRA GRAHA")
_COMPANY_TAIL: dict[str, tuple[str, ...]] = {
    "05100": ("COAL", "BATUBARA", "MINING", "RESOURCES", "TAMBANG"),
    "05101": ("COAL", "BATUBARA", "MINING"),
    "09900": ("MINING SERVICES", "KONTRAKTOR", "ENGINEERING", "DRILLING", "TEKNIK"),
    "06100": ("PETROLEUM", "OIL", "MIGAS"),
    "06201": ("GAS", "ENERGY"),
    "09100": ("OFFSHORE", "OILFIELD SERVICES", "DRILLING"),
    "07295": ("NICKEL", "METAL"),
    "01262": ("AGRO", "PLANTATION", "SAWIT", "PERKEBUNAN"),
    "10431": ("PALM OIL", "AGRO INDUSTRI"),
    "41011": ("KONSTRUKSI", "BANGUN"),
    "42101": ("KONSTRUKSI", "INFRASTRUKTUR"),
    "42919": ("KONSTRUKSI", "ENGINEERING"),
}


def company_name(rng: random.Random, kbli: str) -> str:
    """A company core name (without the legal form) fitting its sector, e.g. "MAHAKAM PRIMA COAL"."""
    words = [rng.choice(_COMPANY_HEAD), rng.choice(_COMPANY_MID)]
    if rng.random() < 0.3:
        words.append(rng.choice(_COMPANY_MID))
    return " ".join([*words, rng.choice(_COMPANY_TAIL[kbli])])


# Kecamatan weights (domain.md "Implications" §2, the 2013 pattern as a heuristic).
KECAMATAN_WEIGHTS: dict[str, float] = {
    "64.02.12": 10, "64.02.11": 9, "64.02.14": 9, "64.02.02": 8, "64.02.16": 8, "64.02.13": 6, "64.02.20": 5,
    "64.02.07": 6, "64.02.10": 7, "64.02.03": 6, "64.02.05": 6, "64.02.15": 4, "64.02.04": 4, "64.02.08": 3,
    "64.02.19": 3, "64.02.17": 3, "64.02.09": 2, "64.02.06": 1, "64.02.18": 1, "64.02.01": 1,
}
# Villages per kecamatan for addresses. The split kecamatan (19, 20) use the villages that moved
# (config/reference.yaml kecamatan_split), which lets a report name the old kecamatan with the new village.
VILLAGES: dict[str, tuple[str, ...]] = {
    "64.02.01": ("Muara Muntai Ilir", "Jantur"),
    "64.02.02": ("Jembayan", "Loa Kulu Kota", "Sumber Sari"),
    "64.02.03": ("Loa Duri Ilir", "Tani Harapan", "Batuah"),
    "64.02.04": ("Handil Terusan", "Sepatin", "Kutai Lama"),
    "64.02.05": ("Badak Baru", "Tanjung Limau", "Saliki"),
    "64.02.06": ("Timbau", "Melayu", "Loa Ipuh"),
    "64.02.07": ("Sebulu Ilir", "Manunggal Jaya", "Sumber Sari"),
    "64.02.08": ("Kota Bangun Ilir", "Sebelimbingan", "Loleng"),
    "64.02.09": ("Kahala", "Teluk Bingkai"),
    "64.02.10": ("Kembang Janggut", "Loa Sakoh", "Perdana"),
    "64.02.11": ("Muara Kaman Ulu", "Sabintulung", "Bunga Jadi"),
    "64.02.12": ("Sidomulyo", "Umaq Tukung", "Gunung Sari"),
    "64.02.13": ("Handil Baru", "Kampung Lama", "Sungai Merdeka", "Margomulyo"),
    "64.02.14": ("Muara Jawa Ilir", "Dondang", "Teluk Dalam"),
    "64.02.15": ("Sanga-Sanga Dalam", "Pendingin", "Jawa"),
    "64.02.16": ("Bukit Pariaman", "Separi", "Bhuana Jaya", "Kerta Buana"),
    "64.02.17": ("Santan Ilir", "Bunga Putih", "Sebuntal"),
    "64.02.18": ("Muara Wis", "Melintang"),
    "64.02.19": ("Kedang Ipil", "Sedulang", "Benua Baru", "Sangkuliman"),
    "64.02.20": ("Tani Bakti", "Karya Jaya", "Bukit Raya"),
}
# Places outside Kukar typed into a Kecamatan cell: the kecamatan_unknown injection.
OUTSIDE_KECAMATAN: tuple[str, ...] = ("Palaran", "Samarinda Ulu", "Sangatta Utara", "Bontang Selatan")

BIRTH_PLACES: dict[str, tuple[str, ...]] = {
    "CHN": ("Beijing", "Shandong", "Hunan", "Sichuan", "Jiangsu", "Henan", "Hebei", "Guangdong", "Anhui"),
    "IND": ("Mumbai", "Chennai", "Kolkata", "Hyderabad", "Kerala"),
    "MYS": ("Kuala Lumpur", "Johor Bahru", "Kuching", "Kota Kinabalu"),
    "AUS": ("Perth", "Brisbane", "Sydney", "Newcastle"),
    "KOR": ("Seoul", "Busan", "Incheon"),
    "JPN": ("Tokyo", "Osaka", "Fukuoka"),
    "PHL": ("Manila", "Cebu", "Davao"),
    "USA": ("Houston", "Denver"),
    "GBR": ("London", "Aberdeen"),
    "THA": ("Bangkok", "Chiang Mai"),
    "VNM": ("Hanoi", "Hai Phong"),
    "DEU": ("Essen", "Hamburg"),
}

ROMAN_MONTHS: tuple[str, ...] = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")
MONTHS_ID: tuple[str, ...] = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
                              "September", "Oktober", "November", "Desember")
MONTHS_ID_SHORT: tuple[str, ...] = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agt", "Sep", "Okt", "Nov",
                                    "Des")

OFFICIALS: tuple[str, ...] = ("Drs. H. SUPRIYANTO, M.Si", "Ir. HJ. RAHMAWATI", "ABDUL RAHMAN, S.Sos, M.AP",
                              "MUHAMMAD YUSUF, S.STP", "Hj. NURHAYATI, S.E.")


def weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...] | dict[str, float]) -> str:
    """One key of ``pairs`` drawn with its weight."""
    items = list(pairs.items()) if isinstance(pairs, dict) else list(pairs)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]
