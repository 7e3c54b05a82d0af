-- Court signals per matched enterprise on the as-of date (the knock-outs come from here).
with matched_records as (
    select *
    from {{ ref('int_court_records_matched') }}
    where uscc is not null
)

select
    uscc,
    count(*) filter (
        where is_open and record_type = 'case' and party_role = 'defendant'
    ) as open_defendant_cases,
    coalesce(sum(amount) filter (
        where is_open and record_type = 'case' and party_role = 'defendant'
    ), 0) as open_defendant_amount,
    count(*) filter (
        where is_open and record_type = 'case' and case_type = 'enforcement' and party_role = 'respondent'
    ) as open_enforcement_cases,
    coalesce(bool_or(is_open and record_type = 'dishonest_debtor'), false) as is_dishonest_debtor,
    coalesce(bool_or(is_open and record_type = 'consumption_restriction'), false) as has_consumption_restriction
from matched_records
group by uscc
