"""One check = one GX expectation on one table, with its severity and the SQL that breaks it.

The breaking SQL is what tests/test_gate.py runs on a copy of a build to show that every check can
fail; for the generic kinds it is derived here, a `rows` check brings its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from expectations.gx_duckdb import load_gx

BLOCKING, WARNING = "blocking", "warning"
GX_SEVERITY = {BLOCKING: "critical", WARNING: "warning"}
FIRST_ROW = "rowid = (select min(rowid) from {table})"


@dataclass(frozen=True)
class Check:
    name: str
    table: str  # schema.table: the batch the expectation runs on
    kind: str  # not_null | unique | in_set | between | rows
    severity: str = BLOCKING
    column: str | None = None
    columns: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    strict_min: bool = False
    sql: str = ""  # rows: a query over {batch} returning the offending rows
    breaking_sql: str = ""  # rows: statements that make the query return rows
    also_reads: tuple[str, ...] = ()  # other relations a rows query reads
    # rows: each row the query returns is wrong on its own (no aggregate or window over the batch), so
    # the check can run on a subset of the table's rows (expectations/scope.py)
    per_row: bool = False
    description: str = ""

    @property
    def columns_named(self) -> str:
        return ", ".join(self.columns) if self.columns else (self.column or "")

    def expectation(self):
        gxe = load_gx()
        common = {"severity": GX_SEVERITY[self.severity], "meta": {"check": self.name, "table": self.table}}
        if self.description:
            common["description"] = self.description
        if self.kind == "not_null":
            return gxe.ExpectColumnValuesToNotBeNull(column=self.column, **common)
        if self.kind == "unique" and len(self.columns) == 1:
            # Distinct count = non-null count: one aggregate. GX's ExpectColumnValuesToBeUnique joins every
            # row back to a per-value count, a join as large as the table. The
            # proportion is 0 for a batch without values, where uniqueness holds: see `passed`.
            return gxe.ExpectColumnProportionOfUniqueValuesToBeBetween(column=self.columns[0], min_value=1,
                                                                       max_value=1, **common)
        if self.kind == "unique":
            return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(self.columns), **common)
        if self.kind == "in_set":
            return gxe.ExpectColumnValuesToBeInSet(column=self.column, value_set=list(self.values), **common)
        if self.kind == "between":
            return gxe.ExpectColumnValuesToBeBetween(column=self.column, min_value=self.min_value,
                                                     max_value=self.max_value, strict_min=self.strict_min,
                                                     **common)
        if self.kind == "rows":
            return gxe.UnexpectedRowsExpectation(unexpected_rows_query=self.sql, **common)
        raise ValueError(f"unknown check kind {self.kind!r}")

    def passed(self, result) -> bool:
        """Whether GX's result for this check's expectation is a pass. GX reports the proportion of unique
        values as 0 when a batch has no non-null value (e.g. a daily run's batch of new decisions when
        none arrived); the not_null checks judge nulls, so uniqueness holds there."""
        if result.success:
            return True
        observed = (result.result or {}).get("observed_value")
        return self.kind == "unique" and len(self.columns) == 1 and observed == 0

    def breaking(self) -> str:
        """SQL that makes this check fail on a build that passes it."""
        table = self.table

        def first_row() -> str:
            return FIRST_ROW.format(table=table)

        if self.kind == "not_null":
            return f"update {table} set {self.column} = null where {first_row()}"
        if self.kind == "unique":
            return f"insert into {table} select * from {table} limit 1"
        if self.kind == "in_set":
            return f"update {table} set {self.column} = 'not-a-listed-value' where {first_row()}"
        if self.kind == "between":
            value = f"{self.max_value} + 1" if self.max_value is not None else f"{self.min_value} - 1"
            return f"update {table} set {self.column} = {value} where {first_row()}"
        if not self.breaking_sql:
            raise ValueError(f"check {self.name} has no breaking_sql")
        return self.breaking_sql
