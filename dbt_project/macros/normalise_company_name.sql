{#
  A company name in one canonical spelling, for matching court parties to the enterprise master.
  Courts spell the same firm differently: full-width brackets （）vs (), 有限责任公司 vs 有限公司, extra spaces.
  NFKC folds full-width brackets, letters, digits and the ideographic space to their ASCII forms
  (the warehouse is UTF8, which normalize() needs); then all white space goes and the company suffix is unified.
#}
{% macro normalise_company_name(column) -%}
    nullif(
        replace(
            regexp_replace(normalize({{ column }}, nfkc), '\s+', '', 'g'),
            '有限责任公司', '有限公司'
        ),
        ''
    )
{%- endmacro %}
