{#
  A settlement counterparty's name in its canonical spelling (macro normalise_company_name), pseudonymised (macro
  hash_pii), so that one counterparty spelled two ways is one key. Written once for the cache
  (stg_settlement__counterparty_pseudonyms) and for the rows the cache does not hold yet
  (stg_settlement__transactions); a value as delivered is pseudonymised by hash_pii itself.
#}
{% macro counterparty_name_pseudonym(column) -%}
    {{ hash_pii(normalise_company_name(column)) }}
{%- endmacro %}
