"""Modules Great Expectations imports but diklat never uses wait until something reads them (issue #17)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> str:
    result = subprocess.run(  # noqa: S603 - the venv's own interpreter
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_the_gate_runs_without_loading_scipy_stats_or_altair_and_they_still_work_when_used() -> None:
    out = _run(
        """
        import sys
        import pandas as pd
        from diklat.gate.gx import Check, run_checks
        import great_expectations.expectations as gxe

        frame = pd.DataFrame({"row_number": [2, 3], "nip": ["1", None]})
        failures = run_checks("t", frame, [Check(gxe.ExpectColumnValuesToNotBeNull(column="nip"), "missing", "nip")])
        print(type(sys.modules["scipy.stats"]).__name__, "scipy.linalg" in sys.modules, len(failures))

        from scipy import stats  # as Great Expectations' KL-divergence check does
        print(round(float(stats.entropy([0.5, 0.5], [0.9, 0.1])), 6), type(sys.modules["scipy.stats"]).__name__)
        import altair as alt
        print(alt.Chart.__name__, type(sys.modules["altair"]).__name__)
        """
    )
    assert out.splitlines() == ["Deferred False 1", "0.510826 module", "Chart module"]


def test_only_missing_modules_are_deferred_and_unknown_ones_are_left_to_fail() -> None:
    out = _run(
        """
        import json, sys
        from diklat.gate.deferred import defer
        print(defer("json", "no_such_module_here", "colorsys"))
        try:
            import no_such_module_here
        except ImportError:
            print("ImportError")
        import colorsys
        print(type(colorsys).__name__, colorsys.rgb_to_hsv(1, 0, 0), type(sys.modules["colorsys"]).__name__)
        """
    )
    assert out.splitlines() == ["['colorsys']", "ImportError", "Deferred (0.0, 1.0, 1) module"]
