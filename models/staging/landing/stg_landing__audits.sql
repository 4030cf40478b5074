{{ config(**incremental_config('delivery', 'audit_id', redelivered_in='audits')) }}
-- Incremental: a run reads only the deliveries since the last build (delivered_since) and replaces their keys.
with source as (
    {{ latest_version(source('landing', 'audits'), var('raw_keys')['audits'], incremental=is_incremental()) }}
),

final as (
    select
        audit_id,
        decision_id,
        auditor_id,
        audit_type,
        sampling_rate,
        cast(audited_at as timestamp) as audited_at,
        qa_verdict,
        qa_policy_code,
        error_root_cause,
        error_severity,
        dispute_outcome,
        _source_file as source_file,
        _source_line as source_line,
        _load_id as load_id
    from source
)

select * from final
