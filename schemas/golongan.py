"""The civil-service ranks (golongan/ruang) as PP 99/2000 lists them, lowest to highest, with their titles."""

from __future__ import annotations

TITLES: dict[str, str] = {
    "I/a": "Juru Muda",
    "I/b": "Juru Muda Tk I",
    "I/c": "Juru",
    "I/d": "Juru Tk I",
    "II/a": "Pengatur Muda",
    "II/b": "Pengatur Muda Tk I",
    "II/c": "Pengatur",
    "II/d": "Pengatur Tk I",
    "III/a": "Penata Muda",
    "III/b": "Penata Muda Tk I",
    "III/c": "Penata",
    "III/d": "Penata Tk I",
    "IV/a": "Pembina",
    "IV/b": "Pembina Tk I",
    "IV/c": "Pembina Utama Muda",
    "IV/d": "Pembina Utama Madya",
    "IV/e": "Pembina Utama",
}
GOLONGAN: tuple[str, ...] = tuple(TITLES)  # dict order is lowest to highest
