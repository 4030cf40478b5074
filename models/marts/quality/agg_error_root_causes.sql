-- Effective QA findings (errors that stand after disputes) by month, vendor, policy, root cause and
-- severity. The policy of an error is the moderator's for an over-enforcement, QA's otherwise.
-- In-sample errors are population evidence (Σw, Σw² for their estimates and intervals); the rest were
-- found by targeted, appeal or escalation audits and are findings only (biased by design).
-- Incremental: the months holding a re-opened day are rebuilt whole (an audit re-opens its decision's day).
{{ config(**incremental_config('month', ['month_start_date', 'vendor_id', 'policy_code', 'root_cause_code',
                                         'error_severity', 'error_type'])) }}
-- depends_on: {{ ref('int_reopened_days') }}
with decisions as (
    select * from {{ ref('fct_decisions') }}
    where effective_qa_verdict is not null and not is_policy_correct
    {%- if is_incremental() %}
        and {{ is_reopened_period('month', 'decision_date') }}
    {%- endif %}
),

audits as (
    select audit_id, error_root_cause, error_severity from {{ ref('fct_qa_audits') }}
),

errors as (
    select
        {{ first_day_of_month('decisions.decision_date') }} as month_start_date,
        decisions.vendor_id,
        coalesce(case when decisions.outcome = 'FP' then decisions.policy_code end,
                 decisions.effective_qa_policy_code, decisions.policy_code) as policy_code,
        coalesce(audits.error_root_cause, 'UNSPECIFIED') as root_cause_code,
        coalesce(audits.error_severity, 'unspecified') as error_severity,
        case when decisions.outcome in ('FP', 'FN') then decisions.outcome else 'wrong_policy' end as error_type,
        decisions.is_in_sample,
        decisions.sampling_weight
    from decisions
    left join audits on decisions.effective_audit_id = audits.audit_id
),

final as (
    select
        month_start_date,
        vendor_id,
        policy_code,
        root_cause_code,
        error_severity,
        error_type,
        cast(count(*) as bigint) as errors,
        cast(sum(case when is_in_sample then 1 else 0 end) as bigint) as in_sample_errors,
        cast(coalesce(sum(case when is_in_sample then sampling_weight end), 0) as double) as weighted_errors,
        cast(coalesce(sum(case when is_in_sample then sampling_weight * sampling_weight end), 0) as double)
            as squared_weight_errors
    from errors
    group by month_start_date, vendor_id, policy_code, root_cause_code, error_severity, error_type
)

select * from final
