"""The dbt unit tests (model logic on hand-written inputs and expected rows). Production builds skip
them, as dbt recommends, so they run here, against the warehouse the real pipeline built."""

from __future__ import annotations

import yaml

from orchestration.dbt_runner import run_dbt
from orchestration.project import PROJECT_DIR


def declared_unit_tests() -> set[str]:
    names = set()
    for path in (PROJECT_DIR / "models").rglob("*.yml"):
        names |= {test["name"] for test in (yaml.safe_load(path.read_text()) or {}).get("unit_tests", [])}
    return names


def test_every_dbt_unit_test_passes(built_warehouse):
    result = run_dbt(["test", "--select", "test_type:unit"], built_warehouse)
    assert result.returncode == 0, result.errors
    ran = {node.name: node.status for node in result.nodes if node.resource_type == "unit_test"}
    assert set(ran) == declared_unit_tests()
    assert set(ran.values()) == {"pass"}, ran
