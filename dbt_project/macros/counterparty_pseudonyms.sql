{#
  A settlement counterparty's pseudonyms, written once for the cache (stg_settlement__counterparty_pseudonyms)
  and for the rows the cache does not hold yet (stg_settlement__transactions):
  - counterparty_pseudonym: of an account or a name as delivered (trimmed, macro hash_pii);
  - counterparty_name_pseudonym: of a name in its canonical spelling (macro normalise_company_name), so that
    one counterparty spelled two ways is one key.
#}
{% macro counterparty_pseudonym(column) -%}
    {{ hash_pii(column) }}
{%- endmacro %}

{% macro counterparty_name_pseudonym(column) -%}
    {{ hash_pii(normalise_company_name(column)) }}
{%- endmacro %}
