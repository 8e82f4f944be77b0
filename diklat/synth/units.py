"""The agencies (OPD) of a city like Kota Jambi, with their supervisory posts and eselon III head."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """One agency: its name, the title of its eselon III official (the mentor), its pengawas posts."""

    name: str
    head: str
    posts: tuple[str, ...]


_SUBBAG = (
    "Kepala Subbagian Umum dan Kepegawaian",
    "Kepala Subbagian Keuangan",
    "Kepala Subbagian Perencanaan",
)


def _dinas(name: str, sections: tuple[str, ...], uptd: tuple[str, ...] = ()) -> Unit:
    posts = _SUBBAG + tuple(f"Kepala Seksi {s}" for s in sections) + tuple(f"Kepala UPTD {u}" for u in uptd)
    return Unit(name, f"Sekretaris {name}", posts)


def _badan(name: str, subbid: tuple[str, ...]) -> Unit:
    return Unit(name, f"Sekretaris {name}", _SUBBAG + tuple(f"Kepala Sub Bidang {s}" for s in subbid))


# Kelurahan per kecamatan (Kota Jambi after the 2019 split into 11 kecamatan), so lurah posts look real.
KECAMATAN: dict[str, tuple[str, ...]] = {
    "Telanaipura": ("Telanaipura", "Pematang Sulur", "Buluran Kenali", "Teluk Kenali", "Penyengat Rendah"),
    "Danau Sipin": ("Legok", "Sungai Putri", "Murni", "Solok Sipin", "Selamat"),
    "Jambi Selatan": ("Pakuan Baru", "Tambak Sari", "Wijaya Pura", "Pasir Putih", "Thehok"),
    "Paal Merah": ("Eka Jaya", "Talang Bakung", "Lingkar Selatan", "Paal Merah", "Payo Selincah"),
    "Jambi Timur": ("Talang Banjar", "Sulanjana", "Tanjung Pinang", "Kasang", "Rajawali", "Budiman"),
    "Pasar Jambi": ("Pasar Jambi", "Orang Kayo Hitam", "Beringin", "Sungai Asam"),
    "Pelayangan": ("Tahtul Yaman", "Tengah", "Jelmu", "Mudung Laut", "Arab Melayu", "Tanjung Johor"),
    "Danau Teluk": ("Olak Kemang", "Tanjung Pasir", "Pasir Panjang", "Tanjung Raden", "Ulu Gedong"),
    "Kota Baru": ("Simpang III Sipin", "Suka Karya", "Kenali Asam Atas", "Kenali Asam Bawah", "Paal Lima"),
    "Jelutung": ("Jelutung", "Kebun Handil", "Cempaka Putih", "Payo Lebar", "Lebak Bandung", "Kebun Kopi"),
    "Alam Barajo": ("Mayang Mangurai", "Bagan Pete", "Kenali Besar", "Rawasari", "Beliung"),
}


def _kecamatan(name: str, kelurahan: tuple[str, ...]) -> Unit:
    posts = (
        "Kepala Seksi Pemerintahan",
        "Kepala Seksi Ketentraman dan Ketertiban Umum",
        "Kepala Seksi Pemberdayaan Masyarakat",
        "Kepala Subbagian Umum dan Kepegawaian",
    ) + tuple(f"Lurah {k}" for k in kelurahan)
    return Unit(f"Kecamatan {name}", f"Camat {name}", posts)


_PUSKESMAS = ("Putri Ayu", "Simpang Kawat", "Paal V", "Kenali Besar", "Olak Kemang", "Pakuan Baru", "Koni")

UNITS: tuple[Unit, ...] = (
    Unit(
        "Sekretariat Daerah",
        "Kepala Bagian Umum",
        (
            "Kepala Subbagian Tata Usaha Pimpinan",
            "Kepala Subbagian Rumah Tangga",
            "Kepala Subbagian Protokol",
            "Kepala Subbagian Bantuan Hukum",
            "Kepala Subbagian Pengadaan Barang dan Jasa",
        ),
    ),
    Unit(
        "Sekretariat DPRD",
        "Sekretaris DPRD",
        ("Kepala Subbagian Persidangan", "Kepala Subbagian Humas dan Protokol", "Kepala Subbagian Keuangan"),
    ),
    Unit(
        "Inspektorat",
        "Sekretaris Inspektorat",
        ("Kepala Subbagian Umum dan Kepegawaian", "Kepala Subbagian Evaluasi dan Pelaporan"),
    ),
    _badan(
        "Badan Perencanaan Pembangunan Daerah",
        ("Perencanaan Infrastruktur", "Perekonomian", "Sosial Budaya", "Data dan Informasi"),
    ),
    _badan("BKPSDMD", ("Pengembangan Kompetensi", "Mutasi dan Promosi", "Data dan Informasi Kepegawaian")),
    _badan("Badan Pengelola Keuangan dan Aset Daerah", ("Anggaran", "Akuntansi", "Pengelolaan Aset")),
    _badan("Badan Pengelola Pajak dan Retribusi Daerah", ("Pendataan", "Penagihan", "Pajak Bumi dan Bangunan")),
    _badan("Badan Penanggulangan Bencana Daerah", ("Kedaruratan", "Rehabilitasi dan Rekonstruksi")),
    _badan("Badan Kesatuan Bangsa dan Politik", ("Ideologi dan Wawasan Kebangsaan", "Politik Dalam Negeri")),
    _dinas(
        "Dinas Pendidikan",
        ("Kurikulum SD", "Kurikulum SMP", "Sarana dan Prasarana", "PAUD"),
        ("Sanggar Kegiatan Belajar",),
    ),
    _dinas(
        "Dinas Kesehatan",
        ("Kesehatan Keluarga dan Gizi", "Surveilans dan Imunisasi", "Pelayanan Kesehatan"),
        tuple(f"Puskesmas {p}" for p in _PUSKESMAS) + ("Laboratorium Kesehatan Daerah",),
    ),
    _dinas(
        "Dinas Pekerjaan Umum dan Penataan Ruang",
        ("Jalan", "Jembatan", "Drainase", "Tata Ruang"),
        ("Alat Berat",),
    ),
    _dinas("Dinas Perumahan dan Kawasan Permukiman", ("Perumahan", "Kawasan Permukiman", "Pertamanan")),
    _dinas("Dinas Sosial", ("Rehabilitasi Sosial", "Perlindungan dan Jaminan Sosial", "Pemberdayaan Sosial")),
    _dinas(
        "Dinas Kependudukan dan Pencatatan Sipil",
        ("Identitas Penduduk", "Pindah Datang", "Kelahiran dan Kematian", "Perkawinan dan Perceraian"),
    ),
    _dinas(
        "Dinas Perhubungan",
        ("Lalu Lintas", "Angkutan", "Parkir"),
        ("Terminal Rawasari", "Pengujian Kendaraan Bermotor"),
    ),
    _dinas(
        "Dinas Lingkungan Hidup",
        ("Pengendalian Pencemaran", "Persampahan", "Pertamanan Kota"),
        ("Tempat Pemrosesan Akhir Talang Gulo",),
    ),
    _dinas("Dinas Komunikasi dan Informatika", ("Aplikasi Informatika", "Persandian", "Informasi Publik")),
    _dinas("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", ("Perizinan", "Pengaduan", "Promosi")),
    _dinas("Dinas Perindustrian dan Perdagangan", ("Perdagangan", "Industri", "Metrologi"), ("Pasar Angso Duo",)),
    _dinas(
        "Dinas Pemberdayaan Perempuan dan Perlindungan Anak",
        ("Perlindungan Anak", "Kualitas Hidup Perempuan"),
    ),
    _dinas("Dinas Pariwisata dan Kebudayaan", ("Destinasi Wisata", "Cagar Budaya", "Kesenian")),
    _dinas("Dinas Ketahanan Pangan", ("Ketersediaan Pangan", "Keamanan Pangan")),
    _dinas("Satuan Polisi Pamong Praja", ("Penegakan Perda", "Ketertiban Umum", "Perlindungan Masyarakat")),
) + tuple(_kecamatan(k, kel) for k, kel in KECAMATAN.items())

# Posts for people who are not (yet) pengawas: candidates waiting for a post, or functional staff.
PELAKSANA_POSTS = (
    "Analis Kepegawaian",
    "Pengadministrasi Umum",
    "Penata Laporan Keuangan",
    "Pengelola Data",
    "Analis Perencanaan",
    "Pengelola Barang Milik Daerah",
    "Verifikator Keuangan",
)
FUNGSIONAL_POSTS = (
    "Perencana Ahli Muda",
    "Analis Kebijakan Ahli Muda",
    "Pranata Komputer Ahli Muda",
    "Auditor Ahli Muda",
    "Analis SDM Aparatur Ahli Muda",
    "Arsiparis Ahli Muda",
    "Pengelola Pengadaan Barang/Jasa Ahli Muda",
)
