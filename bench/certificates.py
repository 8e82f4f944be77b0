"""Milliseconds per certificate (STTP PDF), and the speed-up of rendering a batch in several processes.

    .venv/bin/python -m bench.certificates [--count 2000] [--processes 1 2 4]

First one certificate rendered in memory (the PDF's own cost), then ``count`` different certificates
(names and codes vary, so nothing is cached between them) written to a temporary folder by the function
the assessment flows call (``render_certificates``), in 1, 2 and 4 processes. The times include
starting the worker processes (each imports reportlab), as a flow run pays it.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

from diklat.report.certificate import CertificateData, _render, render_certificate, render_certificates

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


def batch(count: int, folder: str, tag: str) -> list:
    return [
        (
            dataclasses.replace(BASE, name=f"Peserta Nomor {n}", verification_code=f"{n:016X}"),
            Path(folder) / tag / f"sttp-{n}.pdf",
        )
        for n in range(count)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 4])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        render_certificate(BASE, Path(folder) / "warm.pdf", language="id")  # fonts registered, modules imported
        started = time.perf_counter()
        for data, _path in batch(200, folder, "single"):
            _render(data, "id")
        print(f"one certificate in memory: {(time.perf_counter() - started) / 200 * 1000:.1f} ms")  # noqa: T201
        alone = None
        for processes in args.processes:
            items = batch(args.count, folder, f"p{processes}")
            started = time.perf_counter()
            render_certificates(items, language="id", processes=processes)
            spent = time.perf_counter() - started
            alone = alone or spent
            print(  # noqa: T201
                f"{processes} process(es): {args.count} certificates in {spent:.2f} s, "
                f"{spent / args.count * 1000:.1f} ms per certificate, speed-up x{alone / spent:.2f}"
            )


if __name__ == "__main__":
    main()
