{{ config(**incremental_config('session', ['session_id', 'agreement_scale', 'replicate'])) }}
-- depends_on: {{ ref('stg_landing__calibration_labels') }}
{%- set replicates = var('calibration_bootstrap_replicates') %}
-- Incremental: a session's rows are rebuilt whole when one of its labels was delivered since the last build
-- (is_reopened_session); every other session's resamples cannot change, so a daily run does not redraw the
-- bootstrap of the whole history.
-- Agreement among each calibration session's panel raters (expert excluded) on both scales (verdict,
-- full label), for the session as labelled (replicate 0) and for calibration_bootstrap_replicates
-- item-level bootstrap resamples (replicates 1 … B), the inputs of agg_calibration_sessions' point
-- estimates and percentile intervals. Formulas over the pairable items (≥ 2 panel labels), item i
-- drawn m_i times (m_i = 1 in replicate 0), n_i labels on it, n_ic of them in category c:
--   percent agreement P̄ = Σ m_i P_i / Σ m_i, P_i = (Σ_c n_ic² − n_i) / (n_i (n_i − 1));
--   Fleiss' κ = (P̄ − P̄_e) / (1 − P̄_e), P̄_e = Σ_c p_c², p_c = Σ m_i n_ic / Σ m_i n_i (Fleiss 1971 when
--   every rater labels every item);
--   Krippendorff's α (nominal) = 1 − (n − 1) Σ m_i (n_i² − Σ_c n_ic²) / (n_i − 1) / (n² − Σ_c n_c²),
--   n = Σ m_i n_i, n_c = Σ m_i n_ic (the coincidence-matrix form, closed with sums).
-- Resampling: the K pairable items of a session are numbered by item_id; draw j of replicate b takes
-- item floor(u · K) + 1 with u = hash_uniform('<seed>|<session_id>|<b>|<j>') (var
-- calibration_bootstrap_seed): K draws with replacement per replicate, the same on every engine and
-- every run, reproducible in Python with hashlib.md5. Items are resampled whole (their labels stay
-- together), so the interval reflects which items happened to be in the session.
with scaled as (
    select * from {{ ref('int_calibration_labels_scaled') }}
    where not is_expert
    {%- if is_incremental() %}
        and {{ is_reopened_session('session_id') }}
    {%- endif %}
),

item_categories as (
    select session_id, agreement_scale, item_id, category, count(*) as category_labels
    from scaled
    group by session_id, agreement_scale, item_id, category
),

items as (
    select
        session_id,
        agreement_scale,
        item_id,
        cast(sum(category_labels) as double) as item_labels,
        cast(sum(category_labels * category_labels) as double) as item_squared_category_labels
    from item_categories
    group by session_id, agreement_scale, item_id
),

pairable_items as (
    select
        items.*,
        (item_squared_category_labels - item_labels) / (item_labels * (item_labels - 1)) as item_agreement,
        (item_labels * item_labels - item_squared_category_labels) / (item_labels - 1) as item_disagreement
    from items
    where item_labels >= 2
),

indexed_items as (
    select
        session_id,
        item_id,
        row_number() over (partition by session_id order by item_id) as item_index,
        count(*) over (partition by session_id) as session_items
    from (select distinct session_id, item_id from pairable_items) as distinct_items
),

sessions as (
    select distinct session_id, session_items from indexed_items
),

replicate_rows as (
    select session_id, session_items, {{ expand_integer_range(1, replicates) }} as replicate
    from sessions
),

draw_rows as (
    select session_id, session_items, replicate, {{ expand_integer_range(1, 'session_items') }} as draw
    from replicate_rows
),

draws as (
    select
        session_id,
        replicate,
        cast(floor({{ hash_uniform("'" ~ var('calibration_bootstrap_seed') ~ "|' || session_id || '|' || cast(replicate as " ~ dbt.type_string() ~ ") || '|' || cast(draw as " ~ dbt.type_string() ~ ")") }}
                   * session_items) as bigint) + 1 as item_index
    from draw_rows
),

multiplicities as (
    select session_id, cast(0 as bigint) as replicate, item_index, cast(1 as bigint) as multiplicity
    from indexed_items
    union all
    select session_id, cast(replicate as bigint), item_index, count(*) as multiplicity
    from draws
    group by session_id, replicate, item_index
),

drawn_items as (
    select
        multiplicities.replicate,
        multiplicities.multiplicity,
        pairable_items.*
    from multiplicities
    inner join indexed_items
        on multiplicities.session_id = indexed_items.session_id
        and multiplicities.item_index = indexed_items.item_index
    inner join pairable_items
        on indexed_items.session_id = pairable_items.session_id
        and indexed_items.item_id = pairable_items.item_id
),

item_sums as (
    select
        session_id,
        agreement_scale,
        replicate,
        sum(multiplicity) as drawn_items,
        sum(multiplicity * item_agreement) / sum(multiplicity) as percent_agreement,
        sum(multiplicity * item_disagreement) as disagreement
    from drawn_items
    group by session_id, agreement_scale, replicate
),

drawn_categories as (
    select
        drawn_items.session_id,
        drawn_items.agreement_scale,
        drawn_items.replicate,
        item_categories.category,
        sum(drawn_items.multiplicity * item_categories.category_labels) as category_labels
    from drawn_items
    inner join item_categories
        on drawn_items.session_id = item_categories.session_id
        and drawn_items.agreement_scale = item_categories.agreement_scale
        and drawn_items.item_id = item_categories.item_id
    group by drawn_items.session_id, drawn_items.agreement_scale, drawn_items.replicate, item_categories.category
),

category_sums as (
    select
        session_id,
        agreement_scale,
        replicate,
        cast(sum(category_labels) as double) as pairable_labels,
        cast(sum(category_labels * category_labels) as double) as squared_category_labels
    from drawn_categories
    group by session_id, agreement_scale, replicate
),

agreement as (
    select
        item_sums.session_id,
        item_sums.agreement_scale,
        item_sums.replicate,
        item_sums.percent_agreement,
        category_sums.squared_category_labels / (category_sums.pairable_labels * category_sums.pairable_labels)
            as chance_agreement,
        case when category_sums.pairable_labels * category_sums.pairable_labels
                  = category_sums.squared_category_labels then null
             else 1 - (category_sums.pairable_labels - 1) * item_sums.disagreement
                      / (category_sums.pairable_labels * category_sums.pairable_labels
                         - category_sums.squared_category_labels)
        end as krippendorff_alpha
    from item_sums
    inner join category_sums
        on item_sums.session_id = category_sums.session_id
        and item_sums.agreement_scale = category_sums.agreement_scale
        and item_sums.replicate = category_sums.replicate
),

final as (
    select
        session_id,
        agreement_scale,
        replicate,
        percent_agreement,
        chance_agreement,
        {{ chance_corrected_agreement('percent_agreement', 'chance_agreement') }} as fleiss_kappa,
        krippendorff_alpha
    from agreement
)

select * from final
