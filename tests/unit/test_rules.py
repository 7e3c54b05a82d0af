"""Each rule in one place: where Python and the dbt project both need a rule, one reads it from the other, and
these tests fail when two places could still disagree."""

from __future__ import annotations

import re

import yaml

from sme_credit import rules, settings
from sme_credit.contract.feeds import table_by_name
from sme_credit.publish import marts

MODELS = settings.DBT_PROJECT_DIR / "models"


def test_the_published_marts_are_the_documented_mart_models():
    documented = {
        model["name"]
        for path in (MODELS / "marts").glob("_*__models.yml")
        for model in yaml.safe_load(path.read_text(encoding="utf-8"))["models"]
    }
    assert set(rules.marts()) == documented
    assert rules.marts() == marts.MARTS and marts.NEVER_EMPTY in marts.MARTS


def test_the_tiers_are_the_seeds_tiers_worst_first():
    policy = sorted(rules.seed_rows("tier_policy"), key=lambda row: float(row["min_score"]))
    assert rules.risk_tiers() == tuple(row["risk_tier"] for row in policy)
    assert {row["risk_tier"] for row in rules.seed_rows("tier_display_names")} == set(rules.risk_tiers())
    assert rules.risk_tiers_text() == "high_potential, steady or risk_warning"


def test_the_rated_values_the_contract_admits_are_the_ratings_the_seed_ranks():
    delivered = set(table_by_name("tax_credit_ratings").column("credit_rating").allowed)
    assert {row["credit_rating"] for row in rules.seed_rows("tax_credit_ratings")} == delivered


def test_the_scorecard_scale_is_the_dbt_vars():
    scale = rules.scorecard_scale()
    project = yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))["vars"]
    assert (scale.base_score, scale.base_odds, scale.pdo) == (
        project["scorecard_base_score"],
        project["scorecard_base_odds"],
        project["scorecard_pdo"],
    )


def test_every_var_the_models_use_is_defined_and_every_defined_var_is_used():
    used = set()
    for path in [*settings.DBT_PROJECT_DIR.glob("models/**/*.sql"), *settings.DBT_PROJECT_DIR.glob("macros/**/*.sql")]:
        used |= set(re.findall(r"var\(\s*'(\w+)'", path.read_text(encoding="utf-8")))
    # and the ones only Python reads (the promotion thresholds), through rules.dbt_vars
    python = " ".join(path.read_text(encoding="utf-8") for path in (settings.PROJECT_DIR / "plugins").rglob("*.py"))
    used |= {name for name in rules.dbt_vars() if f'"{name}"' in python}
    assert used == set(rules.dbt_vars()), "a var used but not defined (or left over) in dbt_project.yml"


# Numbers a model may write: units and window lengths that its column names carry (inflow_3m, 30 days, 365 days,
# kWh per 10,000 yuan), rounding precisions, and the arithmetic of the score's odds. A threshold, a cap, a score
# or a ratio is a var or a seed instead.
WINDOW_AND_UNIT_NUMBERS = {
    "0",
    "1",
    "1.0",
    "2",
    "3",
    "5",
    "6",
    "7",
    "9",
    "12",
    "30",
    "60",
    "90",
    "365",
    "365.25",
    "10000",
}


def _numbers(sql: str) -> list[str]:
    for pattern, replacement in (
        (r"\{#.*?#\}", " "),  # Jinja comments
        (r"\{\{.*?\}\}|\{%.*?%\}", " "),  # Jinja
        (r"--[^\n]*", " "),  # SQL comments
        (r"'[^']*'", "''"),  # strings
        (r"numeric\(\s*\d+\s*(,\s*\d+\s*)?\)", "numeric"),  # precision of a type
        (r",\s*\d+\s*\)", ")"),  # precision of round(x, n), and the like
    ):
        sql = re.sub(pattern, replacement, sql, flags=re.S)
    return re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", sql)


def test_no_model_writes_a_rule_as_a_bare_number():
    found = {
        str(path.relative_to(MODELS)): sorted(set(_numbers(path.read_text(encoding="utf-8"))) - WINDOW_AND_UNIT_NUMBERS)
        for path in MODELS.rglob("*.sql")
    }
    assert {path: numbers for path, numbers in found.items() if numbers} == {}


def test_the_bare_number_check_can_fail():
    assert _numbers("select greatest(-0.3, x) as g, round(y, 4) from t where z > 615 -- 42") == ["0.3", "615"]
    assert _numbers("select {{ var('cap') }}::numeric(18, 2), 'A1' from t") == []
