"""The operator file formats: canonical columns, the headers accepted for each, which are required.

Header matching ignores case, spaces and punctuation (see ``diklat.io.headers.header_key``), so
``GOL/RUANG``, ``Gol. Ruang`` and ``gol_ruang`` all match the alias ``golruang``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str  # canonical (snake_case English) name used in code and the database
    aliases: tuple[str, ...]  # accepted headers, Indonesian first; compared by header_key()
    required: bool = True


@dataclass(frozen=True)
class FileSpec:
    kind: str
    columns: tuple[Column, ...]

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


ROSTER = FileSpec(
    kind="roster",
    columns=(
        Column("nip", ("NIP", "NIP BARU", "NIP PESERTA")),
        Column("name", ("NAMA", "NAMA LENGKAP", "NAMA PESERTA", "NAMA DAN GELAR")),
        Column("golongan", ("GOL/RUANG", "GOLONGAN", "GOL", "PANGKAT/GOL", "GOLONGAN RUANG", "RANK")),
        Column("position", ("JABATAN", "NAMA JABATAN")),
        Column("unit", ("UNIT KERJA", "INSTANSI", "OPD", "PERANGKAT DAERAH", "UNIT")),
        Column("superior_nip", ("NIP ATASAN", "NIP ATASAN LANGSUNG", "NIP MENTOR"), required=False),
        Column("superior_name", ("NAMA ATASAN", "NAMA ATASAN LANGSUNG", "NAMA MENTOR"), required=False),
        Column("superior_email", ("EMAIL ATASAN", "E-MAIL ATASAN", "EMAIL MENTOR"), required=False),
        Column("email", ("EMAIL", "E-MAIL", "SUREL", "ALAMAT EMAIL"), required=False),
        Column("phone", ("NO HP", "NO. HP", "NOMOR HP", "HP", "TELEPON", "NO TELP", "PHONE NUMBER"), required=False),
        Column("quarantine_id", ("ID KARANTINA",), required=False),
    ),
)

COACHES = FileSpec(
    kind="coaches",
    columns=(
        Column("nip", ("NIP", "NIP COACH", "NIP WIDYAISWARA")),
        Column("name", ("NAMA", "NAMA COACH", "NAMA WIDYAISWARA")),
        Column("email", ("EMAIL", "E-MAIL", "SUREL"), required=False),
        Column("quarantine_id", ("ID KARANTINA",), required=False),
    ),
)

ATTENDANCE = FileSpec(
    kind="attendance",
    columns=(
        Column("nip", ("NIP", "NIP PESERTA")),
        Column("date", ("TANGGAL", "TGL", "HARI/TANGGAL")),
        Column("session", ("SESI", "KODE SESI"), required=False),
        Column("status", ("STATUS", "KEHADIRAN", "KETERANGAN")),
        Column("jp", ("JP", "JUMLAH JP"), required=False),
        Column("quarantine_id", ("ID KARANTINA",), required=False),
    ),
)

GUIDANCE = FileSpec(
    kind="guidance",
    columns=(
        Column("nip", ("NIP", "NIP PESERTA")),
        Column("date", ("TANGGAL", "TGL")),
        Column("kind", ("JENIS", "JENIS BIMBINGAN")),
        Column("by_nip", ("OLEH", "NIP PEMBIMBING", "NIP COACH/MENTOR"), required=False),
        Column("topic", ("TOPIK", "MATERI", "URAIAN"), required=False),
        Column("quarantine_id", ("ID KARANTINA",), required=False),
    ),
)

DELIVERABLES = FileSpec(
    kind="deliverables",
    columns=(
        Column("nip", ("NIP", "NIP PESERTA")),
        Column("stage", ("TAHAP", "TAHAPAN", "JENIS DOKUMEN")),
        Column("date", ("TANGGAL", "TGL", "TANGGAL PENGUMPULAN")),
        Column("outcome", ("HASIL", "STATUS", "KEPUTUSAN")),
        Column("notes", ("CATATAN", "KETERANGAN"), required=False),
        Column("quarantine_id", ("ID KARANTINA",), required=False),
    ),
)

SCORES = FileSpec(
    kind="scores",
    columns=(
        Column("nip", ("NIP", "NIP PESERTA")),
        Column("component", ("KOMPONEN", "KOMPONEN PENILAIAN", "UNSUR")),
        Column("score", ("NILAI", "SKOR")),
        Column("assessor", ("PENILAI", "NIP PENILAI", "NAMA PENILAI")),
        Column("quarantine_id", ("ID KARANTINA",), required=False),
    ),
)

ASSESSORS = FileSpec(
    kind="assessors",
    columns=(
        Column("nip", ("NIP", "NIP PENILAI")),
        Column("name", ("NAMA", "NAMA PENILAI")),
        Column("quarantine_id", ("ID KARANTINA",), required=False),
    ),
)

RESPONSES = FileSpec(
    kind="responses",
    columns=(
        Column("nip", ("NIP ALUMNI", "NIP")),
        Column("role", ("PERAN",)),
        Column("respondent", ("RESPONDEN", "NIP RESPONDEN")),
        Column("wave", ("GELOMBANG",)),
        Column("item", ("BUTIR", "KODE BUTIR")),
        Column("answer", ("JAWABAN", "NILAI")),
        Column("quarantine_id", ("ID KARANTINA",), required=False),
    ),
)

PERSONNEL = FileSpec(
    kind="personnel",
    columns=(
        Column("nip", ("NIP", "NIP BARU", "NIP PEGAWAI")),
        Column("name", ("NAMA", "NAMA LENGKAP", "NAMA PEGAWAI", "NAMA DAN GELAR")),
        Column("golongan", ("GOL/RUANG", "GOLONGAN", "GOL", "PANGKAT/GOL", "GOLONGAN RUANG", "RANK")),
        Column("position", ("JABATAN", "NAMA JABATAN")),
        Column("position_type", ("JENIS JABATAN", "JENIS", "KELOMPOK JABATAN", "POSITION TYPE")),
        Column("unit", ("UNIT KERJA", "INSTANSI", "OPD", "PERANGKAT DAERAH", "UNIT")),
        Column("appointed", ("TMT JABATAN", "TMT", "TANGGAL PELANTIKAN", "APPOINTED")),
        Column("trained", ("SUDAH PKP", "SUDAH DIKLAT", "STATUS PKP", "TRAINED"), required=False),
    ),
)

# The list of cohorts a batch run works on (one row per cohort; file paths relative to the list).
MANIFEST = FileSpec(
    kind="manifest",
    columns=(
        Column("cohort", ("ANGKATAN", "NO ANGKATAN", "NOMOR ANGKATAN")),
        Column("start", ("TANGGAL MULAI", "MULAI", "TGL MULAI"), required=False),
        Column("roster", ("BERKAS PESERTA", "FILE PESERTA", "DAFTAR PESERTA"), required=False),
        Column("coaches", ("BERKAS COACH", "FILE COACH"), required=False),
        Column("scores", ("BERKAS NILAI", "FILE NILAI"), required=False),
        Column("assessors", ("BERKAS PENILAI", "FILE PENILAI"), required=False),
    ),
)

SPECS = {
    spec.kind: spec
    for spec in (
        ROSTER,
        COACHES,
        ATTENDANCE,
        GUIDANCE,
        DELIVERABLES,
        SCORES,
        ASSESSORS,
        RESPONSES,
        PERSONNEL,
        MANIFEST,
    )
}

# Values operators write, mapped to stored codes (compared case-insensitively, trimmed).
ATTENDANCE_STATUS = {
    "hadir": "hadir",
    "h": "hadir",
    "present": "hadir",
    "izin": "izin",
    "i": "izin",
    "ijin": "izin",
    "excused": "izin",
    "sakit": "sakit",
    "s": "sakit",
    "sick": "sakit",
    "alpa": "alpa",
    "a": "alpa",
    "alpha": "alpa",
    "alfa": "alpa",
    "tanpa keterangan": "alpa",
    "absent": "alpa",
}
GUIDANCE_KIND = {
    "coaching": "coaching",
    "coach": "coaching",
    "bimbingan coach": "coaching",
    "mentoring": "mentoring",
    "mentor": "mentoring",
    "bimbingan mentor": "mentoring",
}
OUTCOME = {
    "diterima": "accepted",
    "terima": "accepted",
    "accepted": "accepted",
    "lulus": "accepted",
    "ok": "accepted",
    "revisi": "revise",
    "perbaikan": "revise",
    "revise": "revise",
    "ditolak": "rejected",
    "tolak": "rejected",
    "rejected": "rejected",
}
