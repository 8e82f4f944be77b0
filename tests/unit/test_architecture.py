"""The pure rules stay pure; every deployment's entrypoint imports."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("prefect", "sqlalchemy", "great_expectations", "alembic")


@pytest.mark.parametrize("path", sorted((ROOT / "diklat" / "domain").glob("*.py")), ids=lambda p: p.name)
def test_domain_rules_import_neither_prefect_nor_the_database(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
        if not isinstance(node, ast.ImportFrom) or node.module
    }
    assert not imported & set(FORBIDDEN)


def test_domain_rules_never_read_the_clock() -> None:
    for path in (ROOT / "diklat" / "domain").glob("*.py"):
        text = path.read_text()
        assert "date.today(" not in text and "datetime.now(" not in text, path.name


@pytest.mark.parametrize(
    "entrypoint",
    [d["entrypoint"] for d in yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]],
)
def test_every_deployment_entrypoint_imports_a_flow(entrypoint: str) -> None:
    path, name = entrypoint.split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    flow = getattr(module, name)
    assert flow.__class__.__name__ == "Flow"
