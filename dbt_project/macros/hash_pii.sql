{#
  Personal data (the legal representative's ID number, phone and name, a counterparty's name or card) never
  leaves raw in clear: staging exposes a keyed pseudonym, HMAC-SHA256 of the trimmed value, enough to join or
  count, nothing to read, and nothing anyone without the key can recompute from a guessed ID (an unsalted md5
  of an 18-digit ID falls to a search over birth dates and region codes in minutes).
  HMAC(K, m) = sha256((K xor opad) || sha256((K xor ipad) || m)): the two padded keys are in pii.hash_key,
  written from PII_HASH_KEY by the pipeline's migrations (sme_credit.access), readable by the pipeline's role
  only; each is read once per query (an uncorrelated subquery), and the key never appears in compiled SQL.
#}
{% macro hash_pii(column) -%}
    encode(sha256(
        (select outer_pad from pii.hash_key)
        || sha256((select inner_pad from pii.hash_key) || convert_to(nullif(trim({{ column }}), ''), 'UTF8'))
    ), 'hex')
{%- endmacro %}
