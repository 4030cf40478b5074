"""Rostered FTE per queue and day (agg_capacity_daily), recomputed here from the published shifts and
decisions with pandas: moderators only, each moderator's day split over the queues where they handled
items that day (pro rata to handle seconds), an idle moderator's shift split by the day's human work
mix, scheduled minutes over the scheduled_minutes_per_fte_day var."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml

from orchestration.project import PROJECT_DIR, layout

pytestmark = pytest.mark.slow


def project_var(name: str):
    return yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"][name]


@pytest.fixture(scope="module")
def published(built_warehouse):
    database = layout(built_warehouse).published_database
    with duckdb.connect(str(database), read_only=True) as con:
        return {name: con.sql(f"select * from marts.{name}").df()
                for name in ("agg_capacity_daily", "fct_shifts", "fct_decisions")}


def expected_allocation(shifts: pd.DataFrame, decisions: pd.DataFrame) -> pd.DataFrame:
    moderators = shifts[shifts.role == "moderator"]
    work = (decisions[~decisions.is_automated].groupby(["moderator_id", "decision_date", "queue_id"])
            .handle_seconds.sum().reset_index())
    work = work[work.handle_seconds > 0]
    per_moderator_day = work.groupby(["moderator_id", "decision_date"]).handle_seconds.transform("sum")
    work["share"] = work.handle_seconds / per_moderator_day
    day_mix = work.groupby(["decision_date", "queue_id"]).handle_seconds.sum().reset_index()
    day_mix["share"] = day_mix.handle_seconds / day_mix.groupby("decision_date").handle_seconds.transform("sum")
    rows = []
    for shift in moderators.itertuples():
        own = work[(work.moderator_id == shift.person_id) & (work.decision_date == shift.shift_date)]
        split = own if len(own) else day_mix[day_mix.decision_date == shift.shift_date]
        rows += [(shift.shift_date, queue, shift.scheduled_minutes * share, shift.logged_in_minutes * share)
                 for queue, share in zip(split.queue_id, split.share, strict=True)]
    allocated = pd.DataFrame(rows, columns=["date_day", "queue_id", "scheduled", "logged_in"])
    return allocated.groupby(["date_day", "queue_id"]).sum()


def test_rostered_fte_allocates_moderator_shifts_to_queues(published):
    capacity = published["agg_capacity_daily"].set_index(["date_day", "queue_id"]).sort_index()
    expected = expected_allocation(published["fct_shifts"], published["fct_decisions"])
    expected = expected.reindex(capacity.index, fill_value=0.0)
    np.testing.assert_allclose(capacity.moderator_scheduled_minutes, expected.scheduled, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(capacity.moderator_logged_in_minutes, expected.logged_in, rtol=1e-12, atol=1e-9)
    per_fte = project_var("scheduled_minutes_per_fte_day")
    np.testing.assert_allclose(capacity.rostered_fte, expected.scheduled / per_fte, rtol=1e-12, atol=1e-12)
    assert (capacity.rostered_fte > 0).sum() > len(capacity) / 2


def test_a_days_queues_add_up_to_its_moderators_and_leave_out_other_roles(published):
    capacity, shifts = published["agg_capacity_daily"], published["fct_shifts"]
    worked_days = set(published["fct_decisions"].query("not is_automated and handle_seconds > 0").decision_date)
    by_day = capacity.groupby("date_day").moderator_scheduled_minutes.sum()
    moderators = shifts[shifts.role == "moderator"].groupby("shift_date").scheduled_minutes.sum()
    everyone = shifts.groupby("shift_date").scheduled_minutes.sum()
    days = [day for day in by_day.index if day in worked_days and day in moderators.index]
    assert len(days) >= 10
    np.testing.assert_allclose(by_day[days], moderators[days], rtol=1e-12)
    # qa and lead shifts are not moderation capacity (counting them overstates it by a third or more here)
    assert (everyone[days] / moderators[days]).min() > 1.3
