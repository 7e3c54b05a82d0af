{#
  SCD2 history of every firm's risk tier: a new version when the tier or the knock-out changes, valid from the
  as-of date that brought the change (dbt_valid_from = as_of_date, not the wall-clock time of the run), so the
  history reads in business time. Run after the marts gate on each as-of date, in date order.
#}
{% snapshot customer_risk_tiers_history %}
    {{ config(
        unique_key='uscc',
        strategy='check',
        check_cols=['risk_tier', 'knock_out'],
        updated_at='as_of_timestamp',
        hard_deletes='invalidate',
    ) }}
    select
        uscc,
        as_of_date,
        as_of_date::timestamp as as_of_timestamp,
        score,
        probability_of_default,
        risk_tier,
        knock_out,
        reason_codes
    from {{ ref('customer_risk_tiers') }}
    where as_of_date = {{ as_of_date() }}
{% endsnapshot %}
