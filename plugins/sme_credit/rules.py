"""The business rules Python shares with the dbt project, read from where the dbt project keeps them.

The dbt project is the one place for them: its vars (`dbt_project.yml`), its seeds (what the business edits) and
its models (`models/marts/`: the marts). Python reads them here and never restates them, so the two cannot
disagree. Light on purpose: DAG files import it while they are parsed (no pandas, no dbt).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from sme_credit import settings


@cache
def dbt_vars() -> dict[str, Any]:
    """The vars of `dbt_project.yml`, as dbt reads them without a `--vars` override."""
    project = yaml.safe_load((settings.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return dict(project["vars"])


def seed_rows(seed: str) -> list[dict[str, str]]:
    """The rows of seed `seed` (`dbt_project/seeds/<seed>.csv`) as text, in file order."""
    with (settings.DBT_PROJECT_DIR / "seeds" / f"{seed}.csv").open(encoding="utf-8", newline="") as rows:
        return list(csv.DictReader(rows))


@dataclass(frozen=True)
class ScorecardScale:
    """score = base_score + pdo * log2(odds_good / base_odds) (vars scorecard_base_score, _base_odds, _pdo)."""

    base_score: float
    base_odds: float
    pdo: float


def scorecard_scale() -> ScorecardScale:
    values = dbt_vars()
    return ScorecardScale(
        float(values["scorecard_base_score"]), float(values["scorecard_base_odds"]), float(values["scorecard_pdo"])
    )


@cache
def risk_tiers() -> tuple[str, ...]:
    """The risk tiers of seed tier_policy, worst (lowest min_score) to best."""
    rows = sorted(seed_rows("tier_policy"), key=lambda row: float(row["min_score"]))
    return tuple(row["risk_tier"] for row in rows)


def risk_tiers_text() -> str:
    """The tiers best first, for documentation: 'high_potential, steady or risk_warning'."""
    best_first = list(reversed(risk_tiers()))
    return ", ".join(best_first[:-1]) + " or " + best_first[-1] if len(best_first) > 1 else best_first[0]


@cache
def marts() -> tuple[str, ...]:
    """The marts BI and the risk team read: the dbt models under `models/marts/`, by name."""
    return tuple(sorted(path.stem for path in (settings.DBT_PROJECT_DIR / "models" / "marts").glob("*.sql")))


@cache
def precredit_tiers() -> tuple[str, ...]:
    """The tiers open to pre-credit (seed tier_policy, precredit_eligible)."""
    return tuple(row["risk_tier"] for row in seed_rows("tier_policy") if row["precredit_eligible"].lower() == "true")
