"""Where trained scorecards are kept, and how one becomes the model the pipeline applies.

Every `sme-credit train` writes its model into `MODEL_DIR/<version>/` (default `data/models/`): the points seed,
the development sample's score bands, and the model card as Markdown, and records it in the warehouse's `model`
schema (`model.model_versions`, `model.model_card`). Promotion makes it the active model: its two seeds replace
`dbt_project/seeds/scorecard_points.csv` and `scorecard_score_bands.csv` (so the change is a reviewable diff and
the next build applies it; every tier row records the `model_version`), its card becomes `docs/model-card.md`,
and the registry marks it active. A model is promoted only when its out-of-time checks pass (vars
model_promotion_*).
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import Engine, text

from sme_credit import rules, settings, warehouse
from sme_credit.errors import TrainingError
from sme_credit.model import model_card
from sme_credit.model.scorecard import write_seed
from sme_credit.model.training import TrainedModel

POINTS_SEED = "scorecard_points"
BANDS_SEED = "scorecard_score_bands"
BAND_COLUMNS = ("model_version", "band", "lower_bound", "upper_bound", "development_share")
CARD_FILE = "model_card.md"
DOCS_CARD = settings.PROJECT_DIR / "docs" / "model-card.md"

_DDL = (
    "create schema if not exists model",
    """
    create table if not exists model.model_versions (
        model_version text primary key,
        trained_as_of date not null,
        development_dates date[] not null,
        out_of_time_date date not null,
        trained_at timestamptz not null default now(),
        passed_checks boolean not null,
        status text not null default 'trained' check (status in ('trained', 'active', 'retired')),
        promoted_at timestamptz,
        settings jsonb not null,
        files text not null
    )
    """,
    """
    create table if not exists model.model_card (
        model_version text not null references model.model_versions on delete cascade,
        section text not null,
        item text not null,
        metric text not null,
        value double precision,
        detail text,
        primary key (model_version, section, item, metric)
    )
    """,
)
_COMMENTS = {
    "model.model_versions": (
        "Every scorecard trained by sme-credit train: when, on which dates, whether it passed its out-of-time "
        "checks, and which one is active (status)."
    ),
    "model.model_card": (
        "The model card of every trained scorecard as rows: data used, feature IV, the settings tried by "
        "cross-validation (section tuning, the chosen one with detail 'chosen'), points, KS/AUC/Gini, tier default "
        "rates (also of the model active when it was trained, on the same out-of-time sample: item "
        "out_of_time_active_model), calibration, PSI and the promotion checks."
    ),
}


def thresholds() -> dict[str, float]:
    values = rules.dbt_vars()
    names = ("model_promotion_min_ks", "model_promotion_min_auc", "model_psi_alert")
    return {name: float(values[name]) for name in names}


def model_path(version: str) -> Path:
    return settings.model_dir() / version


def save(model: TrainedModel, engine: Engine) -> tuple[Path, dict[str, tuple[bool, str]]]:
    """Write the model's files and registry rows; return its folder and its promotion checks."""
    passed = model_card.checks(model, thresholds())
    folder = model_path(model.version)
    folder.mkdir(parents=True, exist_ok=True)
    write_seed(model.points_rows(), folder / f"{POINTS_SEED}.csv")
    _write_bands(model.band_rows(), folder / f"{BANDS_SEED}.csv")
    (folder / CARD_FILE).write_text(model_card.markdown(model, passed), encoding="utf-8")
    with engine.begin() as conn:
        for statement in _DDL:
            conn.execute(text(statement))
        for relation, comment in _COMMENTS.items():
            warehouse.set_comments(conn, relation, comment, {})
        conn.execute(text("delete from model.model_versions where model_version = :v"), {"v": model.version})
        conn.execute(
            text(
                "insert into model.model_versions (model_version, trained_as_of, development_dates, "
                "out_of_time_date, passed_checks, settings, files) values (:v, :as_of, :development, :oot, "
                ":passed, cast(:settings as jsonb), :files)"
            ),
            {
                "v": model.version,
                "as_of": model.plan.as_of,
                "development": list(model.plan.development),
                "oot": model.plan.out_of_time,
                "passed": all(ok for ok, _ in passed.values()),
                "settings": json.dumps(asdict(model.settings)),
                "files": folder.name,
            },
        )
        conn.execute(
            text(
                "insert into model.model_card (model_version, section, item, metric, value, detail) "
                "values (:model_version, :section, :item, :metric, :value, :detail)"
            ),
            model_card.rows(model, passed),
        )
    return folder, passed


def _write_bands(rows: list[dict], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(BAND_COLUMNS)
        for row in rows:
            writer.writerow(["" if row[c] is None else row[c] for c in BAND_COLUMNS])


def active_version() -> str:
    """The model version of the points seed the pipeline applies."""
    versions = {row["model_version"] for row in rules.seed_rows(POINTS_SEED)}
    if len(versions) != 1:
        raise TrainingError(f"seed {POINTS_SEED} must hold exactly one model version, found {sorted(versions)}")
    return versions.pop()


def seed_files(version: str) -> dict[str, Path]:
    """The seeds of a trained version: the active one's from the dbt project, others' from MODEL_DIR."""
    if version == active_version():
        return {seed: settings.DBT_PROJECT_DIR / "seeds" / f"{seed}.csv" for seed in (POINTS_SEED, BANDS_SEED)}
    folder = model_path(version)
    files = {seed: folder / f"{seed}.csv" for seed in (POINTS_SEED, BANDS_SEED)}
    missing = [str(path) for path in files.values() if not path.exists()]
    if missing:
        raise TrainingError(
            f"model {version} is neither the active one ({active_version()}) nor in {settings.model_dir()}: "
            f"{', '.join(missing)} not found"
        )
    return files


def promote(
    model: TrainedModel,
    folder: Path,
    passed: dict[str, tuple[bool, str]],
    engine: Engine,
    seeds: Path = settings.DBT_PROJECT_DIR / "seeds",
    card: Path = DOCS_CARD,
) -> None:
    """Make the model active if its checks passed (its seeds into `seeds`, its card to `card`); raise TrainingError
    naming the failed checks if not."""
    failed = [f"{name} ({what})" for name, (ok, what) in passed.items() if not ok]
    if failed:
        raise TrainingError(
            f"model {model.version} is not promoted: out of time it fails {', '.join(failed)}; "
            f"its card is {folder / CARD_FILE}"
        )
    for seed in (POINTS_SEED, BANDS_SEED):
        shutil.copyfile(folder / f"{seed}.csv", seeds / f"{seed}.csv")
    shutil.copyfile(folder / CARD_FILE, card)
    with engine.begin() as conn:
        conn.execute(text("update model.model_versions set status = 'retired' where status = 'active'"))
        conn.execute(
            text("update model.model_versions set status = 'active', promoted_at = now() where model_version = :v"),
            {"v": model.version},
        )
