-- One row per utility bill, as last delivered on or before the as-of date
-- (a bill is typically delivered when issued and again once paid).
with utility_bills as (
    {{ latest_delivered(source('utilities', 'utility_bills'), ['bill_id']) }}
),

renamed as (
    select
        bill_id,
        uscc,
        meter_id,
        utility_type,
        billing_month,
        to_date(billing_month, 'YYYY-MM') as billing_month_start,
        consumption::numeric as consumption,
        unit,
        amount::numeric(18, 2) as amount,
        due_date::date as due_date,
        paid_date::date as paid_date,
        _delivery_date as delivered_on,
        _source_file as source_file
    from utility_bills
)

select * from renamed
