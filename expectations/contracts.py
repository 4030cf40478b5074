"""Read the published marts' dbt contracts (models/marts/**/_*.yml): columns with types, keys,
accepted values and rate/interval triples. The GX suites are derived from them, so the contract
is written once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from orchestration.project import PROJECT_DIR

MARTS_DIR = PROJECT_DIR / "models" / "marts"
SCHEMA_OF_FOLDER = {"monitoring": "monitoring"}  # every other marts folder builds into `marts`


@dataclass
class MartContract:
    name: str
    schema: str
    columns: list[tuple[str, str]]  # (name, contract data_type) in order
    key: list[str] = field(default_factory=list)
    accepted_values: dict[str, list[str]] = field(default_factory=dict)
    intervals: list[tuple[str, str, str]] = field(default_factory=list)  # (rate, low, high)

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"

    def type_of(self, column: str) -> str:
        return dict(self.columns)[column]


def _arguments(test: dict) -> dict:
    (body,) = test.values()
    return (body or {}).get("arguments", body or {}) if isinstance(body, dict) else {}


def read_mart_contracts(marts_dir: Path = MARTS_DIR) -> dict[str, MartContract]:
    contracts = {}
    for path in sorted(marts_dir.rglob("_*.yml")):
        schema = SCHEMA_OF_FOLDER.get(path.parent.name, "marts")
        for model in (yaml.safe_load(path.read_text()) or {}).get("models", []):
            contract = MartContract(model["name"], schema, [(c["name"], c["data_type"]) for c in model["columns"]])
            for test in model.get("data_tests", []) or []:
                kind = next(iter(test)) if isinstance(test, dict) else test
                if kind == "unique_combination_of_columns":
                    contract.key = list(_arguments(test)["combination_of_columns"])
                elif kind == "rate_within_interval":
                    arguments = _arguments(test)
                    contract.intervals.append((arguments["rate"], arguments["low"], arguments["high"]))
            for column in model["columns"]:
                for test in column.get("data_tests", []) or []:
                    kind = next(iter(test)) if isinstance(test, dict) else test
                    if kind == "unique":
                        contract.key = [column["name"]]
                    elif kind == "accepted_values":
                        contract.accepted_values[column["name"]] = list(_arguments(test)["values"])
            contracts[contract.name] = contract
    return contracts
