-- Confusion between the moderator's label and the effective QA label for in-sample decisions, per
-- month and queue. A label is the policy code of a rejection, or 'approve'.
-- Incremental: the months holding a re-opened day are rebuilt whole.
{{ config(**incremental_config('month', ['month_start_date', 'queue_id', 'moderator_label', 'qa_label'])) }}
-- depends_on: {{ ref('int_reopened_days') }}
with decisions as (
    select * from {{ ref('fct_decisions') }}
    where is_in_sample
    {%- if is_incremental() %}
        and {{ is_reopened_period('month', 'decision_date') }}
    {%- endif %}
),

labelled as (
    select
        {{ first_day_of_month('decision_date') }} as month_start_date,
        queue_id,
        case when verdict = 'reject' then policy_code else 'approve' end as moderator_label,
        case when effective_qa_verdict = 'reject' then effective_qa_policy_code else 'approve' end as qa_label,
        sampling_weight
    from decisions
),

final as (
    select
        month_start_date,
        queue_id,
        moderator_label,
        qa_label,
        moderator_label = qa_label as is_agreement,
        cast(count(*) as bigint) as decisions,
        cast(sum(sampling_weight) as double) as weighted_decisions
    from labelled
    group by month_start_date, queue_id, moderator_label, qa_label
)

select * from final
