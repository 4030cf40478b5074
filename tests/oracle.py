"""An independent re-computation of the metrics straight from landing files, with pandas.

It shares no code with the warehouse: it reads CSV / Parquet / JSON lines itself, applies the
latest-delivery rule, the effective-verdict and sampling rules of DESIGN §4, and the roster as of
each decision. Tests compare the published marts with it.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

KEYS = {
    "items": ["item_id"], "decisions": ["decision_id"], "audits": ["audit_id"], "appeals": ["appeal_id"],
    "calibration_labels": ["session_id", "item_id", "rater_id"], "roster": ["snapshot_date", "person_id"],
    "shifts": ["person_id", "shift_date"], "trainings": ["training_id"],
}
TIMESTAMPS = {"enqueued_at", "decided_at", "audited_at", "filed_at", "resolved_at", "labeled_at"}


def _read_file(path: Path) -> pd.DataFrame:
    name = path.name
    if name.endswith(".parquet"):
        frame = pd.read_parquet(path)
    elif name.endswith(".jsonl"):
        with open(path, encoding="utf-8") as handle:
            frame = pd.DataFrame([json.loads(line) for line in handle if line.strip()])
    else:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    return frame


def _normalise(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        if column in TIMESTAMPS:
            text = frame[column].astype("string").replace("", pd.NA)
            frame[column] = pd.to_datetime(text, utc=True, format="ISO8601").dt.tz_localize(None)
        elif pd.api.types.is_string_dtype(frame[column]) or frame[column].dtype == object:
            frame[column] = frame[column].replace("", pd.NA)
    return frame


def read_table(landing: Path, table: str) -> pd.DataFrame:
    """All deliveries of a table, latest delivery per key wins (later file path, then later line)."""
    files = sorted((landing / table).rglob("*.*"), key=lambda p: p.relative_to(landing).as_posix())
    parts = []
    for order, path in enumerate(files):
        frame = _read_file(path)
        frame["_file_order"] = order
        frame["_line"] = np.arange(len(frame))
        parts.append(frame)
    frame = _normalise(pd.concat(parts, ignore_index=True))
    frame = frame.sort_values(["_file_order", "_line"]).drop_duplicates(KEYS[table], keep="last")
    return frame.drop(columns=["_file_order", "_line"]).reset_index(drop=True)


def to_bool(series: pd.Series) -> pd.Series:
    return series.map(lambda v: v if isinstance(v, (bool, np.bool_)) else str(v).lower() in ("true", "1", "t"))


def decisions_with_vendor(landing: Path) -> pd.DataFrame:
    """Decisions joined to their item and to the roster snapshot valid when they were made."""
    items = read_table(landing, "items")
    decisions = read_table(landing, "decisions")
    decisions["is_automated"] = to_bool(decisions["is_automated"])
    roster = read_table(landing, "roster")
    roster["snapshot_at"] = pd.to_datetime(roster["snapshot_date"])
    roster["hired_at"] = pd.to_datetime(roster["hired_on"])
    frame = decisions.merge(items, on="item_id", how="inner")
    human = frame[~frame["is_automated"]].sort_values("decided_at")
    snapshots = roster.sort_values("snapshot_at")[["person_id", "snapshot_at", "vendor_id", "hired_at"]]
    as_of = pd.merge_asof(human, snapshots, left_on="decided_at", right_on="snapshot_at",
                          left_by="moderator_id", right_by="person_id", direction="backward")
    # Before the first snapshot, the first snapshot's record holds from the hire date on.
    first = snapshots.groupby("person_id").first().reset_index()
    missing = as_of["vendor_id"].isna()
    fallback = as_of.loc[missing, ["moderator_id", "decided_at"]].merge(
        first, left_on="moderator_id", right_on="person_id", how="left")
    fallback_vendor = np.where(fallback["hired_at"] <= fallback["decided_at"], fallback["vendor_id"], None)
    as_of.loc[missing, "vendor_id"] = fallback_vendor
    as_of["vendor_id"] = as_of["vendor_id"].fillna("unknown")
    automated = frame[frame["is_automated"]].assign(vendor_id="automation")
    columns = list(frame.columns) + ["vendor_id"]
    return pd.concat([as_of[columns], automated[columns]], ignore_index=True)


def effective_verdicts(landing: Path, decisions: pd.DataFrame) -> pd.DataFrame:
    audits = read_table(landing, "audits")
    audits = audits[audits["decision_id"].isin(decisions["decision_id"])].copy()
    audits["sampling_rate"] = pd.to_numeric(audits["sampling_rate"])
    latest = audits.sort_values(["audited_at", "audit_id"]).groupby("decision_id").tail(1)
    latest = latest.merge(decisions[["decision_id", "verdict", "policy_code"]], on="decision_id")
    upheld = latest["dispute_outcome"].eq("upheld").fillna(False)
    latest["effective_qa_verdict"] = np.where(upheld, latest["verdict"], latest["qa_verdict"])
    latest["effective_qa_policy_code"] = np.where(upheld, latest["policy_code"], latest["qa_policy_code"])
    randoms = audits[audits["audit_type"] == "random"].sort_values(["audited_at", "audit_id"])
    earliest_random = randoms.groupby("decision_id").head(1)[["decision_id", "sampling_rate"]]
    out = latest[["decision_id", "effective_qa_verdict", "effective_qa_policy_code"]].merge(
        earliest_random, on="decision_id", how="left")
    out["is_in_sample"] = out["sampling_rate"].notna()
    out["weight"] = 1.0 / out["sampling_rate"]
    return out


def first_decisions(landing: Path) -> pd.DataFrame:
    items = read_table(landing, "items")
    decisions = read_table(landing, "decisions")
    first = decisions.sort_values(["decided_at", "decision_id"]).groupby("item_id").head(1)
    queues = pd.read_csv(Path(__file__).resolve().parents[1] / "seeds" / "queues.csv")
    frame = items.merge(first[["item_id", "decided_at"]], on="item_id", how="left").merge(queues, on="queue_id")
    frame["minutes"] = (frame["decided_at"] - frame["enqueued_at"]).dt.total_seconds() / 60.0
    return frame
