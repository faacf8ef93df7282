"""This writer's own vocabulary: how the clerks of another office spell headers, countries, dates and blanks."""

from __future__ import annotations

# Header spellings per field, as typed by clerks who never saw the reader's synonym lists.
HEADERS: dict[str, tuple[str, ...]] = {
    "no": ("No.", "NO", "No Urut", "Nmr", "#"),
    "name": ("Nama (Name)", "Nama Lengkap TKA", "NAMA PEKERJA ASING", "Nama Sesuai Paspor", "Full Name / Nama",
             "Nama TK Asing:", "NAMA\nLENGKAP", "Nama Tenaga Kerja Asing"),
    "name_cn": ("Nama Mandarin", "Nama (Aksara Asli)", "中文名", "Nama Cina"),
    "passport": ("No. Paspor/Passport No", "Nomor Paspor Tenaga Kerja", "Paspor (Passport)", "NO.PASPOR",
                 "No Dokumen Perjalanan", "Passport Number", "Nmr. Paspor:", "NO.\nPASPOR"),
    "nationality": ("Kewarganeg.", "Warga Negara", "Kebangsaan (Nationality)", "Asal Negara",
                    "Negara Asal / Country", "KWN", "Nationality", "WARGA NEGARA:"),
    "sex": ("L/P", "Jns Kelamin", "Jenis Kelamin (Sex)", "Gender", "JK"),
    "birth_place": ("Tempat Lahir", "Tmp. Lahir", "Place of Birth"),
    "birth_date": ("Tgl. Lahir", "Tanggal Lahir (Date of Birth)", "TGL LAHIR", "Date of Birth", "Tgl Lhr:",
                   "Lahir Tanggal", "TANGGAL\nLAHIR"),
    "position": ("Jabatan Di Perusahaan", "Jabatan (Position)", "Posisi", "JABATAN/POSITION", "Pekerjaan",
                 "Jbt."),
    "company": ("Perusahaan Penjamin", "Nama Perusahaan / Sponsor", "Perusahaan Pengguna TKA",
                "Tempat Bekerja", "Employer", "Nama Badan Usaha"),
    "kecamatan": ("Kec.", "Kecamatan Lokasi Kerja", "Lokasi (Kec.)", "Wilayah Kecamatan", "KECAMATAN:"),
    "kitas_no": ("No. KITAS/ITAS", "Nomor ITAS", "No. Izin Tinggal", "KITAS No.", "Nomor Izin Tinggal Terbatas"),
    "kitas_start": ("Tgl. Berlaku ITAS", "ITAS Mulai", "Izin Tinggal Berlaku Dari"),
    "kitas_end": ("Tgl. Habis ITAS", "ITAS s/d", "Izin Tinggal Berlaku Sampai"),
    "rptka_no": ("No. Pengesahan RPTKA", "Nomor RPTKA (Pengesahan)", "RPTKA No", "No. RPTKA/Pengesahan"),
    "rptka_start": ("Tgl. Pengesahan", "RPTKA Berlaku Mulai", "Tgl. RPTKA"),
    "rptka_end": ("Masa Berlaku RPTKA s.d.", "RPTKA Berakhir", "Tgl. Akhir RPTKA"),
    "notifikasi_no": ("No. Notifikasi/Notification No", "Nomor Notif.", "Notifikasi No", "No. Notif"),
    "notifikasi_start": ("Tgl Notifikasi", "Notif. Mulai", "Notifikasi Berlaku Dari"),
    "notifikasi_end": ("Notif. Berakhir", "Notifikasi s/d", "Notifikasi Berlaku Sampai"),
    "permit_type": ("Jenis Izin", "Jenis Notifikasi", "Kategori Izin"),
    "relation": ("Hubungan Keluarga", "Status (Pemegang/Penyerta)", "Hub. Dgn Pemegang", "Relation"),
    "religion": ("Agama", "AGAMA", "Agama (Religion)"),
    "education": ("Pendidikan", "Pendidikan Terakhir", "Pend."),
    "phone": ("No. HP", "Nomor HP/WA", "Telp."),
    "note": ("Keterangan Lain", "Ket.", "Catatan"),
    "address": ("Alamat Tinggal", "Alamat / Mess", "Domisili"),
}

# Two-row group headers: the group over merged cells, the short words below it.
GROUPS: dict[str, tuple[str, dict[str, str]]] = {
    "kitas": ("IZIN TINGGAL (ITAS)", {"kitas_no": "Nomor", "kitas_start": "Mulai", "kitas_end": "Berakhir"}),
    "rptka": ("PENGESAHAN RPTKA", {"rptka_no": "Nomor", "rptka_start": "Tanggal", "rptka_end": "s.d."}),
    "notifikasi": ("NOTIFIKASI", {"notifikasi_no": "No.", "notifikasi_start": "Dari", "notifikasi_end": "Sampai"}),
    "passport": ("DOKUMEN PERJALANAN", {"passport": "No. Paspor", "nationality": "Negara"}),
}

# Country names per ISO-3: Indonesian, English, and the three-letter codes offices copy from sports tables.
COUNTRIES: dict[str, tuple[str, ...]] = {
    "CHN": ("Tiongkok", "Cina", "China", "R.R. Tiongkok", "CHN", "Chinese", "TIONGKOK"),
    "KOR": ("Korea Selatan", "South Korea", "KOR", "Korsel", "Rep. Korea"),
    "JPN": ("Jepang", "Japan", "JPN", "Japanese"),
    "IND": ("India", "IND", "Indian"),
    "PHL": ("Filipina", "Philippines", "PHI", "Pilipina"),
    "MYS": ("Malaysia", "MAS", "Malaysian"),
    "AUS": ("Australia", "AUS", "Australian"),
    "USA": ("Amerika Serikat", "United States", "USA", "Amerika", "U.S.A."),
    "GBR": ("Inggris", "United Kingdom", "GBR", "Britania Raya", "England"),
    "DEU": ("Jerman", "Germany", "GER", "Jerman Barat"),
    "FRA": ("Perancis", "France", "FRA", "Prancis"),
    "RUS": ("Rusia", "Russia", "RUS", "Federasi Rusia"),
    "TUR": ("Turki", "Turkey", "TUR", "Turkiye"),
    "ZAF": ("Afrika Selatan", "South Africa", "RSA"),
    "NZL": ("Selandia Baru", "New Zealand", "NZL"),
    "NLD": ("Belanda", "Netherlands", "NED", "Holland"),
    "SGP": ("Singapura", "Singapore", "SIN"),
    "TWN": ("Taiwan", "TPE", "Chinese Taipei"),
    "SAU": ("Arab Saudi", "Saudi Arabia", "KSA"),
    "ARE": ("Uni Emirat Arab", "United Arab Emirates", "UAE", "Emirat Arab"),
    "THA": ("Thailand", "THA", "Muangthai"),
    "VNM": ("Vietnam", "Viet Nam", "VIE"),
}

# The nationality mix of a mining regency: mostly Chinese, then the usual others.
NATIONALITY_WEIGHTS: dict[str, float] = {
    "CHN": 55, "KOR": 7, "JPN": 6, "IND": 6, "PHL": 4, "MYS": 4, "AUS": 3, "USA": 2, "GBR": 2, "DEU": 1.5,
    "FRA": 1, "RUS": 1, "TUR": 1, "ZAF": 1, "NZL": 0.7, "NLD": 0.8, "SGP": 1, "TWN": 1.5, "SAU": 0.5,
    "ARE": 0.5, "THA": 1, "VNM": 1,
}

PLACEHOLDERS: tuple[str, ...] = (
    "BELUM ADA", "blm ada", "-", "--", "0", "xxx", "XXXXXXXX", "menyusul", "dalam proses", "proses",
    "on process", "TBA", "tidak ada", "N/A", "kosong", "?",
)

MONTHS_ID = ("Januari", "Pebruari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
             "Nopember", "Desember")
MONTHS_ID_NEW = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
                 "Oktober", "November", "Desember")
MONTHS_ID_SHORT = ("Jan", "Peb", "Mrt", "Apr", "Mei", "Jun", "Jul", "Agst", "Sept", "Okt", "Nop", "Des")
MONTHS_EN_SHORT = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
WEEKDAYS_ID = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")

# Kecamatan (Kemendagri code, name) and the ways a tired hand misspells them.
KECAMATAN: dict[str, str] = {
    "64.02.01": "Muara Muntai", "64.02.02": "Loa Kulu", "64.02.03": "Loa Janan", "64.02.04": "Anggana",
    "64.02.05": "Muara Badak", "64.02.06": "Tenggarong", "64.02.07": "Sebulu", "64.02.08": "Kota Bangun",
    "64.02.09": "Kenohan", "64.02.10": "Kembang Janggut", "64.02.11": "Muara Kaman", "64.02.12": "Tabang",
    "64.02.13": "Samboja", "64.02.14": "Muara Jawa", "64.02.15": "Sanga-Sanga", "64.02.16": "Tenggarong Seberang",
    "64.02.17": "Marang Kayu", "64.02.18": "Muara Wis", "64.02.19": "Kota Bangun Darat", "64.02.20": "Samboja Barat",
}
KECAMATAN_TYPOS: dict[str, tuple[str, ...]] = {
    "64.02.12": ("Tabbang", "Tabang Kukar"), "64.02.11": ("Muarakaman", "Ma. Kaman"),
    "64.02.14": ("Muarajawa", "Muara Djawa"), "64.02.02": ("Loakulu", "Loa Kullu"),
    "64.02.16": ("Tgr Seberang", "Tenggarong Sebrang"), "64.02.13": ("Samboja Kuala", "Sambodja"),
    "64.02.07": ("Sebullu",), "64.02.10": ("Kembang Janggu", "Kb. Janggut"),
    "64.02.15": ("Sangasanga", "Sanga Sanga"), "64.02.03": ("Loajanan",), "64.02.05": ("Muarabadak",),
    "64.02.17": ("Marangkayu",), "64.02.20": ("Samboja Brt",), "64.02.19": ("Kt. Bangun Darat",),
}
# Where the workers are: heavy in the mining kecamatan, light in town.
KECAMATAN_WEIGHTS: dict[str, float] = {
    "64.02.12": 14, "64.02.11": 12, "64.02.14": 10, "64.02.02": 8, "64.02.16": 8, "64.02.13": 6, "64.02.20": 3,
    "64.02.07": 5, "64.02.10": 5, "64.02.03": 4, "64.02.05": 4, "64.02.17": 3, "64.02.15": 2, "64.02.04": 2,
    "64.02.08": 2, "64.02.19": 1, "64.02.09": 1, "64.02.06": 0.5, "64.02.01": 0.3, "64.02.18": 0.2,
}

POSITIONS: tuple[str, ...] = (
    "Mining Engineer", "Ahli Geologi", "Mekanik Alat Berat", "Site Manager", "Teknisi Listrik", "Operator Crusher",
    "Supervisor Produksi", "Surveyor Tambang", "Quality Control", "Plant Manager", "Welder Supervisor",
    "Direktur Operasional", "Konsultan K3", "Drilling Engineer", "Teknisi Boiler", "Agronomist",
)
RELIGIONS = ("Buddha", "Kristen", "Katolik", "Islam", "Tidak Beragama", "Hindu", "Konghucu")
EDUCATION = ("S1", "S2", "D3", "SMA", "Bachelor", "Master", "Diploma")
RELATIONS = {"spouse": ("Istri", "Suami", "Spouse", "Pasangan"), "child": ("Anak", "Child", "Anak Kandung"),
             "holder": ("Pemegang", "TKA", "Sendiri", "Holder")}

COMPANY_WORDS_A = ("Borneo", "Mahakam", "Kutai", "Etam", "Khatulistiwa", "Nusantara", "Tunggal", "Sinar",
                   "Prima", "Bumi", "Samudra", "Cahaya", "Anugerah", "Sentosa", "Makmur", "Jaya", "Perkasa",
                   "Gemilang", "Mitra", "Lestari", "Raya", "Indo", "Kaltim", "Tirta", "Karya", "Mandiri")
COMPANY_WORDS_B = ("Coal", "Mining", "Energi", "Resources", "Mineral", "Tambang", "Sawit", "Agro", "Smelter",
                   "Konstruksi", "Engineering", "Drilling", "Logistik", "Power", "Batubara", "Industri")
KBLI = ("05100", "05100", "05100", "09900", "09900", "01262", "06100", "09100", "42101", "24101", "35101")

SIGNERS = ("IR. BAMBANG SUPRIYADI", "DRS. H. SYAHRANI", "RUSDIANSYAH, S.SOS", "HJ. NORHAYATI, SE",
           "ABDUL RACHMAN, S.STP", "YUSRAN EFFENDI, SH")
