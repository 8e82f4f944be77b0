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
    ),
)

SPECS = {spec.kind: spec for spec in (ROSTER, COACHES)}
