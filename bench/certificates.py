"""Milliseconds per certificate (STTP PDF), and the speed-up of rendering a batch in several processes.

    .venv/bin/python -m bench.certificates [--count 400] [--processes 1 2 4]

Renders ``count`` different certificates (names and codes vary, so nothing is cached between them)
with the same function the final-assessment flow uses, to a temporary folder, first in this process
and then spread over a pool of worker processes (each pays its own imports once, not timed).
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path

from diklat.report.certificate import CertificateData, render_certificate

BASE = CertificateData(
    number="PKP/KOTA-JAMBI/1/001",
    version=1,
    verification_code="0000000000000000",
    name="Drs. H. Ma'ruf, S.Sos., M.Si.",
    nip="198001012005011001",
    golongan="Penata Tk. I (III/d)",
    position="Kepala Seksi Perencanaan",
    unit="Dinas Pendidikan Kota Jambi",
    programme="Pelatihan Kepemimpinan Pengawas",
    cohort_label="Angkatan II Tahun 2024",
    start_date=date(2024, 3, 4),
    end_date=date(2024, 7, 12),
    jp=329,
    qualification="Sangat Memuaskan",
    final_score=Decimal("90.01"),
    issued_on=date(2024, 7, 15),
    agency="BKPSDMD Kota Jambi",
    place="Jambi",
    signatory_name="Dr. Ir. Siti Rahmah, M.M.",
    signatory_title="Kepala Badan",
    signatory_nip="197505152000032002",
    public_url="https://sttp.bkpsdmd.example.go.id",
)


def one(args: tuple[int, str]) -> None:
    n, folder = args
    data = dataclasses.replace(BASE, name=f"Peserta Nomor {n}", verification_code=f"{n:016X}")
    render_certificate(data, Path(folder) / f"sttp-{n}.pdf", language="id")


def warm(_: int) -> None:
    one((0, tempfile.gettempdir()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        one((0, folder))  # fonts registered, modules imported
        started = time.perf_counter()
        for n in range(args.count):
            one((n, folder))
        alone = time.perf_counter() - started
        print(f"in this process: {alone / args.count * 1000:.1f} ms per certificate ({args.count} certificates)")
        for processes in args.processes:
            with ProcessPoolExecutor(processes) as pool:
                list(pool.map(warm, range(processes)))
                started = time.perf_counter()
                list(pool.map(one, [(n, folder) for n in range(args.count)], chunksize=25))
                spread = time.perf_counter() - started
            print(
                f"{processes} processes: {spread:.2f} s, {spread / args.count * 1000:.1f} ms per certificate, "
                f"speed-up x{alone / spread:.2f}"
            )


if __name__ == "__main__":
    main()
