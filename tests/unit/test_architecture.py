"""The architecture holds: import contracts kept, rules never read the clock, every deployment imports.

The layers and the contracts are described in docs/architecture.md and declared in .importlinter.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]


def test_every_import_contract_is_kept() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(  # noqa: S603 - our own tool, from the venv running the tests
        [str(lint_imports), "--no-cache", "--no-logo"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    report = result.stdout + result.stderr
    broken = [line for line in report.splitlines() if line.endswith(" BROKEN")]
    assert result.returncode == 0, "Broken import contracts:\n" + "\n".join(broken) + "\n\n" + report


# Loaded only on the paths that use them: synthetic data (never on a worker), PDFs and QR codes (when
# certificates are rendered), workbooks (when an .xlsx is read or written), Dask (when a run asks for it),
# and what Great Expectations imports for expectations diklat never runs (`diklat.gate.deferred`: the
# stand-ins `scipy.stats` and `altair` are there, nothing under them and none of scipy's heavy packages).
ON_DEMAND = (
    *("faker", "diklat.synth", "reportlab", "segno", "openpyxl", "dask", "distributed", "prefect_dask"),
    *("scipy.stats.", "scipy.linalg", "scipy.optimize", "scipy.spatial", "scipy.special", "altair."),
)


def test_a_worker_importing_every_flow_loads_no_library_only_some_paths_use() -> None:
    """Every operator action and every deployment run pays its process's imports (issue #17)."""
    modules = sorted({d["entrypoint"].split(":")[0].removesuffix(".py").replace("/", ".") for d in DEPLOYMENTS})
    probe = (
        f"import sys; import {', '.join(modules)}; "
        f"print(sorted({{m.split('.')[0] for m in sys.modules if m.startswith({ON_DEMAND!r})}}))"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout


def test_domain_rules_never_read_the_clock() -> None:
    for path in (ROOT / "diklat" / "domain").rglob("*.py"):
        text = path.read_text()
        assert "date.today(" not in text and "datetime.now(" not in text, path.name


@pytest.mark.parametrize("entrypoint", [d["entrypoint"] for d in DEPLOYMENTS])
def test_every_deployment_entrypoint_imports_a_flow(entrypoint: str) -> None:
    path, name = entrypoint.split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    flow = getattr(module, name)
    assert flow.__class__.__name__ == "Flow"


def test_test_modules_have_unique_names():
    """pytest imports test modules by their file name (tests/ is no package): two alike stop collection."""
    from collections import Counter
    from pathlib import Path

    names = Counter(p.name for p in Path(__file__).resolve().parents[1].rglob("test_*.py"))
    assert [name for name, n in names.items() if n > 1] == []
