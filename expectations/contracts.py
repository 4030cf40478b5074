"""Read the published marts' dbt contracts (models/marts/**/_*.yml): columns with types, keys,
accepted values and rate/interval triples. The GX suites are derived from them, so the contract
is written once."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from orchestration.ingest.contracts import CONTRACTS
from orchestration.project import PROJECT_DIR

MARTS_DIR = PROJECT_DIR / "models" / "marts"
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SCHEMA_OF_FOLDER = {"monitoring": "monitoring"}  # every other marts folder builds into `marts`
# The marts' dbt tests whose rules the gate derives and checks (below). One owner per invariant: where the
# gate runs (the DuckDB target) dbt does not run these tests again on the same build
# (orchestration/dbt_runner.py); on Spark, where no gate runs, dbt does.
GATE_DERIVED_TESTS = ("unique", "unique_combination_of_columns", "not_null", "accepted_values", "rate_within_interval")
MARTS_FOLDER = MARTS_DIR.relative_to(PROJECT_DIR).as_posix()


def _staged_single_keys() -> list[str]:
    """The staging models whose `unique` test is on the landing table's own key: the gate checks one current
    version per key of every staged landing table (expectations/suites.py, staging_checks), so on the DuckDB
    target that test is the gate's too. A compound key is tested in dbt on a surrogate column instead, a
    different rule as written, which dbt keeps."""
    return [f"stg_landing__{table}" for table, contract in CONTRACTS.items() if len(contract.key) == 1]


def gate_owned_test_selectors() -> list[str]:
    """The gate's tests as dbt node selectors (for `dbt build --exclude`): the marts' gate-derived tests and
    the staging key tests above."""
    return ([f"path:{MARTS_FOLDER},test_name:{name}" for name in GATE_DERIVED_TESTS]
            + [f"{model},test_name:unique" for model in _staged_single_keys()])


def is_gate_owned_test(node: dict) -> bool:
    """Whether a dbt manifest node is one of the tests `gate_owned_test_selectors` selects."""
    name = (node.get("test_metadata") or {}).get("name")
    if node.get("original_file_path", "").startswith(f"{MARTS_FOLDER}/"):
        return name in GATE_DERIVED_TESTS
    return name == "unique" and node.get("attached_node", "").rsplit(".", 1)[-1] in _staged_single_keys()


@dataclass
class MartContract:
    name: str
    schema: str
    columns: list[tuple[str, str]]  # (name, contract data_type) in order
    key: list[str] = field(default_factory=list)
    # further unique columns or combinations, each with the `where` its dbt test declares (None: every row)
    other_keys: list[tuple[tuple[str, ...], str | None]] = field(default_factory=list)
    not_null: list[str] = field(default_factory=list)  # columns with a not_null test (the key's are implied)
    accepted_values: dict[str, list[str]] = field(default_factory=dict)
    intervals: list[tuple[str, str, str]] = field(default_factory=list)  # (rate, low, high)
    # the date column a large fact is published by, as day partitions (orchestration/publication_parquet.py)
    published_partition: str | None = None

    @property
    def relation(self) -> str:
        return f"{self.schema}.{self.name}"

    def type_of(self, column: str) -> str:
        return dict(self.columns)[column]


def _arguments(test: dict) -> dict:
    (body,) = test.values()
    return (body or {}).get("arguments", body or {}) if isinstance(body, dict) else {}


def _where(test: dict | str) -> str | None:
    """A test's own row filter; the incremental placeholder `__rebuilt_rows__` is none (the gate scopes an
    incremental build itself, expectations/scope.py)."""
    body = next(iter(test.values())) if isinstance(test, dict) else None
    where = ((body or {}).get("config") or {}).get("where") if isinstance(body, dict) else None
    return None if not where or where.strip() == "__rebuilt_rows__" else where


def _unscoped(model: str, kind: str, test: dict | str) -> None:
    """The gate checks a mart's not-null columns, value sets and intervals on every row (of the table, or
    of its rebuilt rows): a `where` on such a test would be ignored silently, so it is refused (express the
    rule for those rows as an expression_is_true test)."""
    if _where(test) is not None:
        raise ValueError(f"{model}: the {kind} test has `where: {_where(test)}`, which the publish gate "
                         "cannot apply; state the rule without it or as an expression_is_true test")


def read_mart_contracts(marts_dir: Path = MARTS_DIR) -> dict[str, MartContract]:
    contracts = {}
    for path in sorted(marts_dir.rglob("_*.yml")):
        schema = SCHEMA_OF_FOLDER.get(path.parent.name, "marts")
        # libyaml's loader when present: the pure-Python one is an order of magnitude slower on this YAML
        for model in (yaml.load(path.read_text(), Loader=SAFE_LOADER) or {}).get("models", []):
            contract = MartContract(model["name"], schema, [(c["name"], c["data_type"]) for c in model["columns"]],
                                    published_partition=((model.get("config") or {}).get("meta") or {})
                                    .get("published_partition"))
            declared_keys: list[tuple[tuple[str, ...], str | None]] = []
            for test in model.get("data_tests", []) or []:
                kind = next(iter(test)) if isinstance(test, dict) else test
                if kind == "unique_combination_of_columns":
                    contract.key = list(_arguments(test)["combination_of_columns"])
                    declared_keys.append((tuple(contract.key), _where(test)))
                elif kind == "rate_within_interval":
                    _unscoped(model["name"], kind, test)
                    arguments = _arguments(test)
                    contract.intervals.append((arguments["rate"], arguments["low"], arguments["high"]))
            for column in model["columns"]:
                for test in column.get("data_tests", []) or []:
                    kind = next(iter(test)) if isinstance(test, dict) else test
                    if kind == "unique":
                        contract.key = [column["name"]]
                        declared_keys.append(((column["name"],), _where(test)))
                    elif kind == "not_null":
                        _unscoped(model["name"], kind, test)
                        contract.not_null.append(column["name"])
                    elif kind == "accepted_values":
                        _unscoped(model["name"], kind, test)
                        contract.accepted_values[column["name"]] = list(_arguments(test)["values"])
            contract.other_keys = [key for key in dict.fromkeys(declared_keys) if key != (tuple(contract.key), None)]
            contracts[contract.name] = contract
    return contracts
