"""SQL building blocks for the generator: deterministic random numbers and weighted choices.

Randomness comes from DuckDB's `hash()` of (seed, tag, key...) rather than `random()`: the same seed
gives the same value for the same key no matter how DuckDB splits the work across threads, which is
what makes the output byte-identical from run to run.
"""

from __future__ import annotations

from collections.abc import Iterable


def define_random_macros(con, seed: int) -> None:
    """u(tag, k) / u2(tag, k1, k2): uniform [0, 1); z(tag, k): standard normal (Box-Muller).

    DuckDB's multi-argument hash() XORs the hashes of its arguments, so hash(s, 'a', k) and
    hash(s, 'b', k) differ by a constant mask and are strongly correlated. Hashing the key's hash
    XOR a per-tag salt again gives independent streams per tag.
    """
    seed = int(seed)
    con.execute(
        f"create or replace temp macro u(tag, k) as "
        f"hash(xor(hash(k), hash({seed}::bigint, tag)))::double / 18446744073709551616.0"
    )
    con.execute(
        f"create or replace temp macro u2(tag, k1, k2) as "
        f"hash(xor(hash(k1), hash(xor(hash(k2), hash({seed}::bigint, tag)))))::double"
        " / 18446744073709551616.0"
    )
    con.execute(
        "create or replace temp macro z(tag, k) as "
        "sqrt(-2 * ln(1 - u(tag || '.a', k))) * cos(2 * pi() * u(tag || '.b', k))"
    )


def quote(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def weighted_choice(uniform_sql: str, choices: Iterable[tuple[str, float]]) -> str:
    """A CASE expression that maps a uniform draw to a value with the given relative weights."""
    pairs = [(v, float(w)) for v, w in choices if float(w) > 0]
    total = sum(w for _, w in pairs)
    branches, cumulative = [], 0.0
    for value, weight in pairs[:-1]:
        cumulative += weight / total
        branches.append(f"when {uniform_sql} < {cumulative!r} then {quote(value)}")
    return f"(case {' '.join(branches)} else {quote(pairs[-1][0])} end)"


def values_table(rows: list[tuple], columns: list[str]) -> str:
    """An inline VALUES relation, e.g. for parameter tables."""

    def literal(v):
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        return quote(v)

    body = ", ".join("(" + ", ".join(literal(v) for v in row) + ")" for row in rows)
    return f"(values {body}) as t({', '.join(columns)})"
