"""Simulate a QA programme in DuckDB: people, items, decisions, audits, appeals, calibration.

Each step creates one temp table from the previous ones. Rows carry a `delivery_day`: the day their
landing file is for (an audit whose dispute is settled later is delivered again on that later day,
an appeal again when it is resolved), which is how late and updated rows reach the warehouse.

The work comes in three steps so that memory does not grow with the number of days:
`prepare` builds the small whole-period tables (calendar, staff, staff-days); `simulate_days`
builds items and everything that follows from them (decisions, appeals, audits) for a range of
enqueue days, replacing the previous range's tables; `calibrate` runs last, on the calibration
candidates collected from every range. Every random draw hashes a row's own key, so the rows do
not depend on how the days are split into ranges.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

from orchestration.generator import profiles as P
from orchestration.generator.sql import define_random_macros, quote, values_table, weighted_choice
from orchestration.project import read_seed


@dataclass(frozen=True)
class SimulationSpec:
    start: date
    days: int
    decisions_per_day: int
    seed: int

    @property
    def end(self) -> date:  # last simulated day (inclusive)
        return self.start + timedelta(days=self.days - 1)


def prepare(con, spec: SimulationSpec) -> None:
    """The whole-period tables: parameters, calendar, staff and staff-days."""
    define_random_macros(con, spec.seed)
    _parameter_tables(con, spec)
    _days(con, spec)
    _people(con, spec)
    _person_days(con)
    _trainings(con, spec)
    con.execute("""
        create or replace temp table sim_calibration_candidates
            (item_id varchar, seq bigint, day date, is_violating boolean, topic_policy varchar)
    """)


def simulate_days(con, spec: SimulationSpec, first_day_index: int, last_day_index: int) -> None:
    """Items enqueued on days [first, last] and the decisions, appeals and audits that follow."""
    _items(con, spec, first_day_index, last_day_index)
    _decisions(con, spec)
    _appeals(con, spec)
    _audits(con, spec)
    # A calibration session samples items of the week before it, which may lie in an earlier range.
    con.execute(f"""
        insert into sim_calibration_candidates
        select item_id, seq, day, is_violating, topic_policy from sim_items
        where u('calibration_candidate', seq) < {_calibration_candidate_share(spec)}
    """)


def calibrate(con, spec: SimulationSpec) -> None:
    _calibration(con, spec)


def _end_ts(spec: SimulationSpec) -> str:
    return f"timestamp '{spec.end + timedelta(days=1)} 00:00:00'"


def _parameter_tables(con, spec: SimulationSpec) -> None:
    queues = {row["queue_id"]: row for row in read_seed("queues")}
    markets = {row["market"]: row for row in read_seed("markets")}
    policies = {row["policy_code"]: row for row in read_seed("policies")}
    con.execute(
        "create or replace temp table p_queues as select * from "
        + values_table(
            [
                (q, queues[q]["item_type"], int(queues[q]["sla_minutes"]), p["prevalence"], p["automated"],
                 p["delay"], p["audit_rate"], p["handle"])
                for q, p in P.QUEUES.items()
            ],
            ["queue_id", "item_type", "sla_minutes", "prevalence", "automated_share", "delay_fraction",
             "audit_rate", "handle_base"],
        )
    )
    con.execute(
        "create or replace temp table p_markets as select * from "
        + values_table(
            [(m, markets[m]["region"], markets[m]["primary_language"], p["audit_mult"])
             for m, p in P.MARKETS.items()],
            ["market", "region", "language", "audit_mult"],
        )
    )
    con.execute(
        "create or replace temp table p_policies as select * from "
        + values_table(
            [(code, i, int(policies[code]["severity_tier"]), p["difficulty"], p["fp"], p["fn"])
             for i, (code, p) in enumerate(P.POLICIES.items())],
            ["policy_code", "policy_index", "severity_tier", "difficulty", "fp_mult", "fn_mult"],
        )
    )
    con.execute(
        "create or replace temp table p_sites as select * from "
        + values_table(
            [(v, i, s, mult, lang, len(p["sites"]), p["base_error"])
             for v, p in P.HUMAN_VENDORS.items() for i, (s, mult, lang) in enumerate(p["sites"])],
            ["vendor_id", "site_index", "site", "site_error_mult", "site_language", "site_count",
             "base_error"],
        )
    )


def _days(con, spec: SimulationSpec) -> None:
    """Calendar with weekday seasonality, a slow trend and incident days (inflow spikes, slow work)."""
    con.execute(f"""
        create or replace temp table sim_days as
        with d as (
            select day_index, date '{spec.start}' + day_index::integer as day
            from range({spec.days}) r(day_index)
        ), shaped as (
            select day_index, day, dayofweek(day) as dow,
                   day_index > 0 and u('incident', day_index) < {P.INCIDENT_DAY_SHARE} as is_incident,
                   (case dayofweek(day) when 0 then 0.70 when 6 then 0.78 when 1 then 1.12 else 1.0 end)
                   * (1 + 0.10 * day_index / {spec.days})
                   * (1 + 0.05 * z('inflow', day_index)) as factor
            from d
        )
        select *, factor * (case when is_incident then 1.5 else 1 end) as inflow_factor,
               day_index % {P.ROSTER_SNAPSHOT_EVERY_DAYS} = 0 or day_index = {spec.days - 1} as is_snapshot_day
        from shaped
    """)


def _people(con, spec: SimulationSpec) -> None:
    """Staff per vendor sized to the work routed there; tenure, terminations and transfers."""
    human_share = _human_vendor_shares()
    rows = []
    for vendor in P.HUMAN_VENDORS:
        moderators = max(
            P.MIN_MODERATORS_PER_VENDOR,
            math.ceil(spec.decisions_per_day * human_share[vendor] / P.DECISIONS_PER_MODERATOR_DAY / (5 / 7)),
        )
        rows += [(vendor, "moderator", moderators), (vendor, "qa", max(3, moderators // P.QA_PER_MODERATORS)),
                 (vendor, "lead", max(1, moderators // 15))]
    snapshot_count = (spec.days - 1) // P.ROSTER_SNAPSHOT_EVERY_DAYS
    vendors = list(P.HUMAN_VENDORS)
    con.execute(f"""
        create or replace temp table sim_people as
        with spec as (select * from {values_table(rows, ['vendor_id', 'role', 'headcount'])}),
        expanded as (
            select vendor_id, role, unnest(range(headcount)) as k from spec
        ), numbered as (
            select row_number() over (order by vendor_id, role, k) as person_seq, vendor_id, role, k
            from expanded
        ), placed as (
            select n.*, s.site, s.site_error_mult, s.site_language,
                   u('newhire', person_seq) < {P.NEW_HIRE_SHARE} as is_new_hire
            from numbered n
            join p_sites s
              on s.vendor_id = n.vendor_id
             and s.site_index = floor(u('site', n.person_seq) * s.site_count)
        ), dated as (
            select *,
                   'p' || lpad(person_seq::varchar, 5, '0') as person_id,
                   site || '-' || chr(65 + floor(u('team', person_seq) * 3)::integer) as team,
                   case when u('lang', person_seq) < 0.85 then site_language else 'en' end as primary_language,
                   case when is_new_hire
                        then date '{spec.start}' + floor(u('hired', person_seq) * {max(spec.days - 1, 1)})::integer
                        else date '{spec.start}' - (30 + floor(u('hired', person_seq) * 1000))::integer
                   end as hired_on
            from placed
        )
        select person_seq, person_id, vendor_id, role, site, site_error_mult, team,
               primary_language, hired_on,
               -- the two first in-house QA staff are the calibration experts
               vendor_id = 'in_house' and role = 'qa' and k < 2 as is_expert,
               case when not is_new_hire and {spec.days} > 6 and u('term', person_seq) < {P.TERMINATION_SHARE}
                         and not (vendor_id = 'in_house' and role = 'qa' and k < 2)
                    then date '{spec.start}' + (3 + floor(u('termday', person_seq) * ({spec.days} - 3)))::integer
               end as terminated_on,
               -- transfers take effect on a roster snapshot day
               case when {snapshot_count} > 0 and u('move', person_seq) < {P.TEAM_MOVE_SHARE + P.VENDOR_MOVE_SHARE}
                    then date '{spec.start}'
                         + ({P.ROSTER_SNAPSHOT_EVERY_DAYS}
                            * (1 + floor(u('moveday', person_seq) * {max(snapshot_count, 1)})))::integer
               end as move_on,
               role = 'moderator' and vendor_id <> 'in_house'
                   and u('move', person_seq) < {P.VENDOR_MOVE_SHARE} as is_vendor_move
        from dated
    """)
    # Resolve where a transfer lands; a transfer after termination or before hire does not happen.
    vendor_pick = weighted_choice("u('newvendor', p.person_seq)", [(v, 1) for v in vendors])
    con.execute(f"""
        create or replace temp table sim_people as
        with target as (
            select p.*, case when p.is_vendor_move then {vendor_pick} else p.vendor_id end as raw_new_vendor
            from sim_people p
        )
        select t.* exclude (raw_new_vendor, move_on),
               case when t.move_on > t.hired_on and (t.terminated_on is null or t.move_on < t.terminated_on)
                    then t.move_on end as move_on,
               coalesce(s.vendor_id, t.vendor_id) as new_vendor_id,
               coalesce(s.site, t.site) as new_site,
               coalesce(s.site_error_mult, t.site_error_mult) as new_site_error_mult,
               case when t.is_vendor_move and s.vendor_id is not null
                    then s.site || '-' || chr(65 + floor(u('newteam', t.person_seq) * 3)::integer)
                    else t.site || '-' || chr(65 + ((ascii(right(t.team, 1)) - 65 + 1) % 3))
               end as new_team
        from target t
        left join p_sites s
          on t.is_vendor_move and s.vendor_id = t.raw_new_vendor and t.raw_new_vendor <> t.vendor_id
         and s.site_index = floor(u('newsite', t.person_seq) * s.site_count)
    """)


def _human_vendor_shares() -> dict[str, float]:
    """Expected share of all decisions that each human vendor handles (sizes its staff)."""
    market_share = {m: p["share"] for m, p in P.MARKETS.items()}
    region_of = {row["market"]: row["region"] for row in read_seed("markets")}
    shares = dict.fromkeys(P.HUMAN_VENDORS, 0.0)
    for queue, qp in P.QUEUES.items():
        human = qp["share"] * (1 - qp["automated"])
        in_house_direct = P.PRIORITY_IN_HOUSE_SHARE if queue == "ads_priority" else 0.0
        shares["in_house"] += human * in_house_direct
        for market, ms in market_share.items():
            for vendor, weight in P.ROUTING[region_of[market]]:
                shares[vendor] += human * (1 - in_house_direct) * ms * weight
    shares["in_house"] += P.RE_REVIEW_SHARE
    return shares


def _person_days(con) -> None:
    """Every employed person-day with the attributes valid that day and whether they work it."""
    con.execute("""
        create or replace temp table sim_person_days as
        select p.person_seq, p.person_id, p.role, d.day, d.day_index, p.hired_on, p.is_expert,
               p.primary_language,
               case when p.move_on is not null and d.day >= p.move_on then p.new_vendor_id else p.vendor_id end
                   as vendor_id,
               case when p.move_on is not null and d.day >= p.move_on then p.new_site_error_mult
                    else p.site_error_mult end as site_error_mult,
               -- two consecutive rest days per person, plus unplanned absence
               d.dow not in (floor(u('off', p.person_seq) * 7)::integer,
                             (floor(u('off', p.person_seq) * 7)::integer + 1) % 7)
                   and u2('absent', p.person_seq, d.day_index) >= 0.04 as is_working
        from sim_people p
        join sim_days d on d.day >= p.hired_on and (p.terminated_on is null or d.day < p.terminated_on)
    """)
    # Pools to assign work from: the vendor's working staff that day, else its employed staff.
    con.execute("""
        create or replace temp table sim_pools as
        with working as (
            select day, vendor_id, role, person_id, person_seq from sim_person_days where is_working
        ), uncovered as (
            select day, vendor_id, role, person_id, person_seq from sim_person_days pd
            where not exists (select 1 from working w
                              where w.day = pd.day and w.vendor_id = pd.vendor_id and w.role = pd.role)
        ), pooled as (select * from working union all select * from uncovered)
        select *, row_number() over (partition by day, vendor_id, role order by person_seq) - 1 as slot,
               count(*) over (partition by day, vendor_id, role) as pool_size
        from pooled
    """)


def _trainings(con, spec: SimulationSpec) -> None:
    """Moderators' trainings (seeds/courses.csv) and the effects on their error probability (profiles).

    sim_trainings holds one row per person × course as finally delivered; sim_training_effects one row
    per training that changes error probabilities from its completion on (policy_code NULL: every policy).
    """
    courses = read_seed("courses")
    reduction = {"refresher": P.REFRESHER_ERROR_REDUCTION, "remedial": P.REMEDIAL_ERROR_REDUCTION}
    rows = [(c["course_id"], i, c["policy_code"] or None, c["course_type"], int(c["duration_minutes"]),
             1 - reduction.get(c["course_type"], 0.0)) for i, c in enumerate(courses)]
    course_table = values_table(rows, ["course_id", "course_index", "policy_code", "course_type",
                                       "duration_minutes", "error_multiplier"])
    rollout_start, rollout_end = P.POLICY_COURSE_ROLLOUT
    weeks = (spec.days + 6) // 7
    con.execute(f"""
        create or replace temp table sim_trainings as
        with courses as (select * from {course_table}),
        moderators as (
            select person_seq, person_id, hired_on, terminated_on from sim_people where role = 'moderator'
        ), onboarding as (
            select m.person_seq, m.person_id, m.hired_on, m.terminated_on, c.*,
                   m.hired_on::timestamp + to_seconds(9 * 3600) as started_at,
                   (m.hired_on + {P.ONBOARDING_COURSE_DAYS})::timestamp + to_seconds(17 * 3600) as finished_at
            from moderators m cross join courses c
            where c.course_type = 'onboarding' and m.hired_on >= date '{spec.start}'
        ), policy_courses as (
            select m.person_seq, m.person_id, m.hired_on, m.terminated_on, c.*,
                   date '{spec.start}' + floor({spec.days} * ({rollout_start} + {rollout_end - rollout_start}
                       * u2('rollout', m.person_seq, c.course_index)))::integer as training_day
            from moderators m cross join courses c
            where c.course_type in ('refresher', 'policy_update')
              and u2('uptake', m.person_seq, c.course_index) < {P.POLICY_COURSE_UPTAKE}
        ), first_slumps as (  -- the first bad week of each moderator (the same draw as in _decisions)
            select m.person_seq, m.person_id, m.hired_on, m.terminated_on, min(w.week_index) as week_index
            from moderators m cross join range({weeks}) w(week_index)
            where u2('slump', m.person_id, w.week_index) < {P.SLUMP_WEEK_SHARE}
            group by all
        ), remedial as (
            select f.person_seq, f.person_id, f.hired_on, f.terminated_on, c.*,
                   date '{spec.start}' + (7 * (f.week_index + 1) + floor(3 * u('remedialday', f.person_seq)))::integer
                       as training_day
            from first_slumps f cross join courses c
            where c.course_type = 'remedial' and u('remedial', f.person_seq) < {P.REMEDIAL_ASSIGNMENT_SHARE}
        ), scheduled as (
            select * exclude (training_day),
                   training_day::timestamp + to_seconds((10 * 3600 + floor(u2('trainhour', person_seq, course_index)
                                                                            * 6 * 3600))::bigint) as started_at
            from (select * from policy_courses union all by name select * from remedial)
            where training_day >= hired_on
        ), timed as (
            select * from onboarding
            union all by name
            select *, started_at + to_seconds(duration_minutes * 60) as finished_at from scheduled
        )
        select 'trn-' || person_id || '-' || lower(course_id) as training_id, person_seq, person_id, course_id,
               course_index, policy_code, course_type, error_multiplier, started_at,
               case when finished_at < {_end_ts(spec)} then finished_at end as completed_at,
               case when finished_at < {_end_ts(spec)} and course_type <> 'remedial'
                    then round({P.ASSESSMENT_MIN_SCORE} + {1 - P.ASSESSMENT_MIN_SCORE}
                               * u2('score', person_seq, course_index), 2) end as assessment_score
        from timed
        where started_at < {_end_ts(spec)} and (terminated_on is null or started_at < terminated_on)
    """)
    con.execute("""
        create or replace temp table sim_training_effects as
        select person_id, policy_code, completed_at as effective_from, error_multiplier
        from sim_trainings
        where completed_at is not null and error_multiplier <> 1
    """)
    con.execute("alter table sim_trainings add column passed boolean")
    con.execute(f"update sim_trainings set passed = assessment_score >= {P.ASSESSMENT_PASS_MARK}")


def _items(con, spec: SimulationSpec, first_day_index: int, last_day_index: int) -> None:
    queue_pick = weighted_choice("u('queue', seq)", [(q, p["share"]) for q, p in P.QUEUES.items()])
    market_pick = weighted_choice("u('market', seq)", [(m, p["share"]) for m, p in P.MARKETS.items()])
    topic_pick = weighted_choice("u('topic', seq)", [(c, p["weight"]) for c, p in P.POLICIES.items()])
    items_total = spec.decisions_per_day * spec.days / (1 + P.RE_REVIEW_SHARE)
    con.execute(f"""
        create or replace temp table sim_items as
        with per_day as (
            select day, day_index, dow, is_incident,
                   round({items_total} * inflow_factor / sum(inflow_factor) over ())::bigint as item_count
            from sim_days
        ), expanded as (
            select day, day_index, dow, is_incident, unnest(range(item_count)) as k from per_day
            where day_index between {first_day_index} and {last_day_index}
        ), drawn as (
            select *, day_index * 100000000 + k as seq from expanded
        ), attributes as (
            select d.*, {queue_pick} as queue_id, {market_pick} as market, {topic_pick} as topic_policy,
                   -- a global platform: arrivals around the clock, with a daytime peak
                   d.day::timestamp + to_seconds(floor(86400 * (
                       case when u('t0', seq) < 0.5 then u('t1', seq)
                            else (u('t1', seq) + u('t2', seq) + u('t3', seq)) / 3 end))::bigint) as enqueued_at
            from drawn d
        )
        select 'itm-' || strftime(a.day, '%Y%m%d') || '-' || lpad(a.k::varchar, 7, '0') as item_id,
               a.seq, a.day, a.day_index, a.dow, a.is_incident, a.queue_id, q.item_type, q.sla_minutes,
               a.market, m.region,
               case when u('itemlang', a.seq) < 0.85 then m.language else 'en' end as language,
               a.enqueued_at, a.topic_policy,
               u('violating', a.seq) < q.prevalence as is_violating
        from attributes a
        join p_queues q using (queue_id)
        join p_markets m using (market)
    """)


def _assign(source: str, key: str, vendor: str, day: str, role: str, tag: str) -> str:
    """SQL that adds person_id/site/hired_on/language of a pooled person to each row of `source`."""
    return f"""
        select s.*, pool.person_id as assigned_person_id, pd.hired_on as assigned_hired_on,
               pd.site_error_mult as assigned_site_error_mult, pd.primary_language as assigned_language
        from (
            select src.*, sizes.pool_size,
                   floor(u('{tag}', src.{key}) * sizes.pool_size)::bigint as assigned_slot
            from {source} src
            join (select distinct day, vendor_id, pool_size from sim_pools where role = '{role}') sizes
              on sizes.day = src.{day} and sizes.vendor_id = src.{vendor}
        ) s
        join sim_pools pool
          on pool.day = s.{day} and pool.vendor_id = s.{vendor} and pool.role = '{role}'
         and pool.slot = s.assigned_slot
        join sim_person_days pd on pd.person_id = pool.person_id and pd.day = s.{day}
    """


def _decisions(con, spec: SimulationSpec) -> None:
    """First decisions (human or automated), then re-reviews by in-house staff."""
    routing = " ".join(
        f"when i.region = {quote(region)} then "
        + weighted_choice("u('route', i.seq)", choices)
        for region, choices in P.ROUTING.items()
    )
    midpoint = spec.start + timedelta(days=spec.days // 2)
    con.execute(f"""
        create or replace temp table sim_routed as
        with routed as (
            select i.*, q.delay_fraction, q.handle_base,
                   u('automated', i.seq) < q.automated_share as is_automated
            from sim_items i join p_queues q using (queue_id)
        ), vendored as (
            select i.*,
                   case when i.is_automated then '{P.AUTOMATION_VENDOR}'
                        when i.queue_id = 'ads_priority' and u('priority', i.seq) < {P.PRIORITY_IN_HOUSE_SHARE}
                             then 'in_house'
                        else (case {routing} end)
                   end as vendor_id,
                   case when i.is_automated then 1 + 4 * u('autodelay', i.seq)
                        else i.sla_minutes * i.delay_fraction * exp(0.8 * z('delay', i.seq))
                             * (case when i.is_incident then 3.5 else 1 end)
                             * (case when i.dow in (0, 6) then 1.3 else 1 end)
                   end as delay_minutes
            from routed i
        )
        select *, enqueued_at + to_seconds(round(delay_minutes * 60)::bigint) as decided_at,
               cast(enqueued_at + to_seconds(round(delay_minutes * 60)::bigint) as date) as decided_day,
               seq * 2 as decision_seq, 1 as decision_number
        from vendored
        where enqueued_at + to_seconds(round(delay_minutes * 60)::bigint) < {_end_ts(spec)}
    """)
    con.execute(f"""
        create or replace temp table sim_rereviews as
        select r.* exclude (vendor_id, is_automated, decided_at, decided_day, decision_seq, decision_number),
               'in_house' as vendor_id, false as is_automated,
               r.decided_at + to_seconds((3600 + floor(u('rereview_delay', r.seq) * 47 * 3600))::bigint) as decided_at,
               cast(r.decided_at + to_seconds((3600 + floor(u('rereview_delay', r.seq) * 47 * 3600))::bigint) as date)
                   as decided_day,
               r.seq * 2 + 1 as decision_seq, 2 as decision_number
        from sim_routed r
        where u('rereview', r.seq) < {P.RE_REVIEW_SHARE}
          and r.decided_at + to_seconds((3600 + floor(u('rereview_delay', r.seq) * 47 * 3600))::bigint)
              < {_end_ts(spec)}
    """)
    human = "(select * from sim_routed where not is_automated union all by name select * from sim_rereviews)"
    con.execute(f"""
        create or replace temp table sim_decision_people as
        {_assign(human, 'decision_seq', 'vendor_id', 'decided_day', 'moderator', 'moderator')}
    """)
    wrong_policy = weighted_choice("u('wrongpolicy', d.decision_seq)", [(c, 1) for c in P.POLICIES])
    v4, v5 = (P.CLASSIFIER_ERROR[v] for v in P.CLASSIFIER_VERSIONS)
    con.execute(f"""
        create or replace temp table sim_decisions as
        with trained as (  -- the product of the effects of the trainings completed before the decision
            select d.decision_seq, exp(sum(ln(e.error_multiplier))) as training_multiplier
            from sim_decision_people d
            join sim_training_effects e
              on e.person_id = d.assigned_person_id and d.decided_at >= e.effective_from
             and (e.policy_code is null or e.policy_code = d.topic_policy)
            group by d.decision_seq
        ), automated as (
            select r.*, 'clf-' || replace(r.item_type, '_', '-') || '-'
                        || (case when r.decided_day < date '{midpoint}' then 'v4' else 'v5' end) as moderator_id,
                   null::date as moderator_hired_on, null::integer as tenure_days, false as is_language_mismatch,
                   case when r.is_violating
                        then (case when r.decided_day < date '{midpoint}' then {v4['fnr']} else {v5['fnr']} end)
                             * pol.difficulty
                        else (case when r.decided_day < date '{midpoint}' then {v4['fpr']} else {v5['fpr']} end)
                             * pol.fp_mult
                   end as error_probability
            from sim_routed r join p_policies pol on pol.policy_code = r.topic_policy
            where r.is_automated
        ), human as (
            select d.* exclude (pool_size, assigned_slot, assigned_person_id, assigned_hired_on,
                                assigned_site_error_mult, assigned_language),
                   d.assigned_person_id as moderator_id, d.assigned_hired_on as moderator_hired_on,
                   datediff('day', d.assigned_hired_on, d.decided_day) as tenure_days,
                   d.assigned_language <> d.language as is_language_mismatch,
                   least(case when d.is_violating then 0.5 else 0.3 end,
                         v.base_error * d.assigned_site_error_mult * pol.difficulty
                         * (1 + {P.ONBOARDING_EXTRA_ERROR}
                                * exp(-datediff('day', d.assigned_hired_on, d.decided_day) / {P.ONBOARDING_RAMP_DAYS}))
                         * exp({P.MODERATOR_SKILL_SD} * z('skill', d.assigned_person_id))
                         * (case when u2('slump', d.assigned_person_id, (d.decided_day - date '{spec.start}') // 7)
                                      < {P.SLUMP_WEEK_SHARE} then {P.SLUMP_ERROR_MULTIPLIER} else 1 end)
                         * coalesce(t.training_multiplier, 1)
                         * (case when d.is_incident then 1.25 else 1 end)
                         * (case when d.assigned_language <> d.language then 1.4 else 1 end)
                         * (case when d.is_violating then 2.0 * pol.fn_mult else 0.5 * pol.fp_mult end))
                       as error_probability
            from sim_decision_people d
            join p_policies pol on pol.policy_code = d.topic_policy
            join (select distinct vendor_id, base_error from p_sites) v on v.vendor_id = d.vendor_id
            left join trained t on t.decision_seq = d.decision_seq
        ), unioned as (
            select * from automated union all by name select * from human
        ), judged as (
            select d.*, u('error', d.decision_seq) < d.error_probability as is_error
            from unioned d
        )
        select 'dec-' || substr(d.item_id, 5) || '-' || d.decision_number as decision_id, d.*,
               case when d.is_violating <> d.is_error then 'reject' else 'approve' end as verdict,
               case when d.is_violating <> d.is_error
                    then (case when d.is_violating and u('wrongpolicy?', d.decision_seq) < 0.04 * pol.difficulty
                               then {wrong_policy} else d.topic_policy end)
               end as policy_code,
               case when d.is_automated then 0
                    else round(d.handle_base * exp(0.45 * z('handle', d.decision_seq))
                               * (1 + 0.8 * exp(-d.tenure_days / 30.0)))::bigint
               end as handle_seconds
        from judged d
        join p_policies pol on pol.policy_code = d.topic_policy
    """)


def _appeals(con, spec: SimulationSpec) -> None:
    """Advertisers appeal rejections; wrongly rejected items appeal far more and win."""
    con.execute(f"""
        create or replace temp table sim_appeals as
        with candidates as (
            select d.*, not d.is_violating as is_wrong_reject
            from sim_decisions d
            where d.verdict = 'reject' and d.decision_number = 1
              and u('appeal', d.decision_seq) < (case when d.is_violating then 0.025 else 0.30 end)
        ), timed as (
            select c.*,
                   c.decided_at + to_seconds((6 * 3600 + floor(u('filed', c.decision_seq) * 90 * 3600))::bigint)
                       as filed_at
            from candidates c
        )
        select 'apl-' || substr(t.decision_id, 5) as appeal_id, t.decision_id, t.decision_seq, t.verdict,
               t.policy_code, t.filed_at,
               t.filed_at + to_seconds((86400 + floor(u('resolved', t.decision_seq) * 5 * 86400))::bigint)
                   as resolution_at,
               case when u('overturn', t.decision_seq) < (case when t.is_wrong_reject then 0.92 else 0.05 end)
                    then 'overturned' else 'upheld' end as final_outcome
        from timed t
        where t.filed_at < {_end_ts(spec)}
    """)


def _audits(con, spec: SimulationSpec) -> None:
    """Random audits at known stratum rates, targeted, escalation and appeal audits; disputes."""
    con.execute(f"""
        create or replace temp table sim_audit_requests as
        with strata as (
            select d.*,
                   round(least(1.0, q.audit_rate * m.audit_mult
                                    * (case when d.vendor_id = '{P.AUTOMATION_VENDOR}' then 0.4 else 1 end)), 6)
                       as stratum_rate
            from sim_decisions d
            join p_queues q using (queue_id)
            join p_markets m using (market)
        ), random_audits as (
            select s.*, 'random' as audit_type, 'r' as type_code, s.stratum_rate as sampling_rate,
                   s.decided_at + to_seconds((7200 + floor(-ln(1 - u('ra_delay', s.decision_seq)) * 30 * 3600)
                       + case when u('late', s.decision_seq) < {P.LATE_AUDIT_SHARE}
                              then floor((7 + 14 * u('late_days', s.decision_seq)) * 86400) else 0 end)::bigint)
                       as audited_at
            from strata s
            where u('sample', s.decision_seq) < s.stratum_rate
        ), targeted as (
            select s.*, 'targeted' as audit_type, 't' as type_code, null::double as sampling_rate,
                   s.decided_at + to_seconds((6 * 3600 + floor(u('ta_delay', s.decision_seq) * 48 * 3600))::bigint)
                       as audited_at
            from strata s
            where u('target', s.decision_seq)
                  < 0.004 + 0.06 * (case when s.is_error then 1 else 0 end)
                    + 0.02 * (case when s.tenure_days < 30 then 1 else 0 end)
        ), escalations as (
            select s.*, 'escalation' as audit_type, 'e' as type_code, null::double as sampling_rate,
                   rr.decided_at + to_seconds(7200) as audited_at
            from strata s
            join sim_decisions rr on rr.item_id = s.item_id and rr.decision_number = 2
            where s.decision_number = 1 and u('escalate', s.decision_seq) < 0.5
        ), appeal_reviews as (
            select s.*, 'appeal' as audit_type, 'a' as type_code, null::double as sampling_rate,
                   a.resolution_at - to_seconds(1800) as audited_at
            from strata s join sim_appeals a using (decision_id)
        )
        select *, cast(audited_at as date) as audited_day,
               case when vendor_id in ('{P.AUTOMATION_VENDOR}') or audit_type = 'appeal'
                    then 'in_house' else vendor_id end as qa_vendor_id,
               decision_seq * 8 + (case type_code when 'r' then 0 when 't' then 1 when 'e' then 2 else 3 end)
                   as audit_seq
        from (select * from random_audits union all select * from targeted
              union all select * from escalations union all select * from appeal_reviews)
        where audited_at < {_end_ts(spec)}
    """)
    con.execute(f"""
        create or replace temp table sim_audit_people as
        {_assign('sim_audit_requests', 'audit_seq', 'qa_vendor_id', 'audited_day', 'qa', 'auditor')}
    """)
    fp_cause = weighted_choice("u('cause', c.audit_seq)", [("POLICY_MISREAD", 45), ("GUIDELINE_AMBIGUITY", 30),
                                                             ("FATIGUE", 15), ("TOOLING_DEFECT", 10)])
    fn_cause = weighted_choice("u('cause', c.audit_seq)", [("MISSED_SIGNAL", 45), ("INSUFFICIENT_RESEARCH", 25),
                                                             ("FATIGUE", 15), ("TOOLING_DEFECT", 15)])
    auto_cause = weighted_choice("u('cause', c.audit_seq)", [("CLASSIFIER_THRESHOLD", 60),
                                                               ("CLASSIFIER_FEATURE_GAP", 40)])
    con.execute(f"""
        create or replace temp table sim_audits as
        with judged as (
            select a.*, pol.severity_tier,
                   u('qa_error', a.audit_seq) < {P.QA_ERROR} * pol.difficulty as is_qa_error
            from sim_audit_people a join p_policies pol on pol.policy_code = a.topic_policy
        ), verdicts as (
            select j.*,
                   case when j.audit_type = 'appeal'
                        then (case when ap.final_outcome = 'overturned' then 'approve' else 'reject' end)
                        when j.is_violating <> j.is_qa_error then 'reject' else 'approve'
                   end as qa_verdict
            from judged j left join sim_appeals ap on j.audit_type = 'appeal' and ap.decision_id = j.decision_id
        ), findings as (
            select v.*,
                   case when v.qa_verdict = 'reject'
                        then (case when v.audit_type = 'appeal' then coalesce(v.policy_code, v.topic_policy)
                                   else v.topic_policy end)
                   end as qa_policy_code
            from verdicts v
        ), classified as (
            select f.*,
                   case when f.verdict <> f.qa_verdict then (case when f.verdict = 'reject' then 'FP' else 'FN' end)
                        when f.verdict = 'reject' and f.policy_code <> f.qa_policy_code then 'POLICY'
                   end as finding
            from findings f
        )
        select 'aud-' || substr(c.decision_id, 5) || '-' || c.type_code as audit_id,
               c.audit_seq, c.decision_id, c.assigned_person_id as auditor_id, c.audit_type, c.sampling_rate,
               c.audited_at, c.qa_verdict, c.qa_policy_code,
               case when c.finding is null then null
                    when c.finding = 'POLICY' then 'WRONG_POLICY_CODE'
                    when c.is_automated then {auto_cause}
                    when c.finding = 'FN' and c.is_language_mismatch and u('langcause', c.audit_seq) < 0.5
                         then 'LANGUAGE_GAP'
                    when c.finding = 'FP' then {fp_cause}
                    else {fn_cause}
               end as error_root_cause,
               case when c.finding is null then null
                    when c.finding = 'POLICY' or c.severity_tier = 1 then 'minor'
                    when c.severity_tier = 3 and u('severity', c.audit_seq) < 0.7 then 'critical'
                    else 'major'
               end as error_severity,
               -- moderators dispute findings, far more often when QA was the one who erred
               c.finding is not null and not c.is_automated and c.audit_type <> 'appeal'
                   and u('dispute', c.audit_seq) < (case when c.is_qa_error then 0.6 else 0.08 end) as is_disputed,
               case when u('upheld', c.audit_seq) < (case when c.is_qa_error then 0.85 else 0.10 end)
                    then 'upheld' else 'rejected' end as dispute_final,
               c.audited_at + to_seconds((2 * 86400 + floor(u('dispute_days', c.audit_seq) * 7 * 86400))::bigint)
                   as dispute_resolved_at
        from classified c
    """)


def _calibration_candidate_share(spec: SimulationSpec) -> float:
    """Candidates are pre-filtered so a session samples from ~200 items a day, not the whole inflow."""
    return min(1.0, 200 / max(spec.decisions_per_day, 1))


def _calibration(con, spec: SimulationSpec) -> None:
    """Weekly calibration per vendor: QA raters and one expert label the same sampled items."""
    vendors = ", ".join(quote(v) for v in P.HUMAN_VENDORS)
    con.execute(f"""
        create or replace temp table sim_calibration as
        with sessions as (
            select v.vendor_id, d.day as session_day, d.day_index,
                   'cal-' || v.vendor_id || '-' || strftime(d.day, '%Y%m%d') as session_id
            from sim_days d cross join (select unnest([{vendors}]) as vendor_id) v
            where d.day_index % 7 = 2
        ), session_items as (
            select s.session_id, s.session_day, i.item_id, i.seq, i.is_violating, i.topic_policy,
                   row_number() over (partition by s.session_id order by u2('calitem', s.session_id, i.seq))
                       as item_rank
            from sessions s
            join sim_calibration_candidates i on i.day >= s.session_day - 7 and i.day <= s.session_day
        ), chosen_items as (
            select * from session_items where item_rank <= 12
        ), raters as (
            select s.session_id, pd.person_id, pd.person_seq, pd.is_expert,
                   row_number() over (partition by s.session_id order by u2('rater', s.session_id, pd.person_seq))
                       as rater_rank
            from sessions s
            join sim_person_days pd on pd.day = s.session_day and pd.role = 'qa'
                                   and pd.vendor_id = s.vendor_id and not pd.is_expert
        ), experts as (
            select s.session_id, p.person_id, p.person_seq, true as is_expert
            from sessions s join sim_people p on p.is_expert
            where p.person_seq = (select min(person_seq) from sim_people where is_expert)
                                 + s.day_index // 7 % 2
        ), panel as (
            select session_id, person_id, person_seq, is_expert from raters where rater_rank <= 6
            union all select * from experts
        ), labelled as (
            select c.session_id, c.session_day, c.item_id, c.item_rank, c.is_violating, c.topic_policy,
                   r.person_id as rater_id, r.is_expert, r.person_seq,
                   2 * u('strictness', r.person_seq) - 1 as strictness,
                   u2('label', c.seq, r.person_seq) as draw, pol.difficulty
            from chosen_items c
            join panel r using (session_id)
            join p_policies pol on pol.policy_code = c.topic_policy
        ), voted as (
            select l.*,
                   case when l.is_expert then (case when l.draw < 0.01 then not l.is_violating else l.is_violating end)
                        when l.is_violating then l.draw >= 0.04 + 0.14 * greatest(-l.strictness, 0) * l.difficulty
                        else l.draw < 0.03 + 0.12 * greatest(l.strictness, 0)
                   end as says_reject
            from labelled l
        )
        select v.session_id, v.item_id, v.rater_id, v.is_expert,
               case when v.says_reject then 'reject' else 'approve' end as verdict,
               case when v.says_reject
                    then (case when not v.is_expert and u2('calpolicy', v.item_rank, v.person_seq) < 0.08
                               then 'MISLEADING_CLAIMS' else v.topic_policy end)
               end as policy_code,
               v.session_day::timestamp + to_seconds((14 * 3600 + v.item_rank * 120
                                                      + floor(u('rateroffset', v.person_seq) * 60))::bigint)
                   as labeled_at,
               v.session_day as delivery_day
        from voted v
    """)
