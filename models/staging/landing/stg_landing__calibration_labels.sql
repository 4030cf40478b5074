with source as (
    {{ latest_version(source('landing', 'calibration_labels'), var('raw_keys')['calibration_labels']) }}
),

final as (
    select
        session_id || '|' || item_id || '|' || rater_id as calibration_label_id,
        session_id,
        item_id,
        rater_id,
        is_expert,
        verdict,
        policy_code,
        cast(labeled_at as timestamp) as labeled_at,
        _source_file as source_file,
        _source_line as source_line,
        _load_id as load_id
    from source
)

select * from final
