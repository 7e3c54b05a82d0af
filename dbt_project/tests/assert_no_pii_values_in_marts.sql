-- No text value in the marts looks like a PRC resident ID number (region + birth date + sequence + check) or a
-- mobile phone number. Checks every text column of every mart (but the USCC), so a column added later is covered.
{% set marts = [ref('customer_features'), ref('customer_risk_tiers'), ref('precredit_candidates')] %}
{% set checks = [] %}
{% if execute %}
{% for mart in marts %}
{% for column in adapter.get_columns_in_relation(mart) if column.is_string() and column.name != 'uscc' %}
            {% do checks.append(
                "select '" ~ mart.identifier ~ "' as mart, '" ~ column.name ~ "' as column_name, "
                ~ adapter.quote(column.name) ~ "::text as value from " ~ mart
                ~ " where " ~ adapter.quote(column.name) ~ " ~ '(^|[^0-9A-Z])([1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]|1[3-9][0-9]{9})([^0-9A-Z]|$)'"
            ) %}
{% endfor %}
{% endfor %}
{% endif %}
{% if checks %}
{{ checks | join('\nunion all\n') }}
{% else %}
select
    null as mart,
    null as column_name,
    null as value
where false
{% endif %}
