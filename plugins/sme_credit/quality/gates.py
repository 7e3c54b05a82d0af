"""Great Expectations gates for the raw, staging and marts layers.

Each relation that is validated has one suite, `expectations/<schema>/<table>.json` (GX's own suite format,
edited by hand and reviewed like code). Suites may use the parameter `{"$PARAMETER": "as_of_date"}`.
A gate validates what the step just wrote, not the whole history: a `Target` names the suite, the relation
that holds the data (the marts are validated in `marts_build` before they are published) and a row filter
(the raw gate checks the loads of the run, by `_load_id`).
The GX project itself (data source, checkpoints, results, Data Docs) lives in local state, not in the repo:
runs write to it, and re-creating it from the suites is cheap.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sme_credit import settings, warehouse
from sme_credit.errors import DataQualityError  # noqa: F401 - raised here, defined with the others
from sme_credit.locking import file_lock
from sme_credit.quality import data_docs

DATASOURCE = "warehouse"
_URL_VARIABLE = "SME_GX_WAREHOUSE_URL"  # GX substitutes it at run time, so no credential is written to disk


# The columns that say which row failed, where a relation has them: the file (raw: its load, which the manifest
# names) and line it was delivered on, its key, and the date of a mart slice. GX reports them for the first failing
# rows of a column check.
ROW_COLUMNS = ("_load_id", "_line_number", "source_file", "line_number", "txn_id", "uscc", "as_of_date")
ROWS_SHOWN = 5


@dataclass(frozen=True)
class Failure:
    relation: str
    expectation: str
    column: str | None
    observed: str
    rows: tuple[str, ...] = ()  # the first failing rows, by ROW_COLUMNS
    data_docs: str | None = None  # the validation's Data Docs page

    def __str__(self) -> str:
        column = f" on column {self.column}" if self.column else ""
        text = f"{self.relation}: {self.expectation}{column} failed (observed: {self.observed})"
        text += "".join(f"\n      row {row}" for row in self.rows)
        return text + (f"\n      Data Docs: {self.data_docs}" if self.data_docs else "")


@dataclass(frozen=True)
class Target:
    """One validation: the suite of `suite` (schema.table) against `relation`, rows matching `where` only."""

    suite: str
    relation: str | None = None  # default: the suite's own relation
    where: str | None = None  # SQL condition; None = the whole relation

    @property
    def data_relation(self) -> str:
        return self.relation or self.suite

    def query(self) -> str:
        where = f" where {self.where}" if self.where else ""
        return f"select * from {self.data_relation}{where}"


def suite_path(relation: str) -> Path:
    schema, table = relation.split(".")
    return settings.EXPECTATIONS_DIR / schema / f"{table}.json"


def relations_with_suites(schema: str) -> list[str]:
    folder = settings.EXPECTATIONS_DIR / schema
    return sorted(f"{schema}.{path.stem}" for path in folder.glob("*.json"))


def gx_dir() -> Path:
    return settings.state_dir() / "gx"


def data_docs_index() -> Path:
    return gx_dir() / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def _exclusive_context():
    """GX's file context is not safe for concurrent writers (known GX issue); serialise our runs."""
    return file_lock(gx_dir() / ".lock")


def _import_gx():
    import great_expectations as gx

    # GX imported after Airflow logs ~200 INFO lines from this logger.
    logging.getLogger("great_expectations._docs_decorators").setLevel(logging.WARNING)
    return gx


def _load_suite(gx, relation: str):
    path = suite_path(relation)
    if not path.exists():
        raise FileNotFoundError(f"no expectation suite for {relation}: expected {path}")
    spec = json.loads(path.read_text(encoding="utf-8"))
    spec["name"] = relation
    return gx.ExpectationSuite(**spec)


def validate(
    targets: Sequence[Target | str],
    *,
    checkpoint_name: str,
    as_of_date: dt.date | None = None,
    warehouse_url: str | None = None,
    log=print,
) -> dict:
    """Validate each target against its suite in one checkpoint; raise DataQualityError on any failure.

    Returns a summary: relations validated, expectations evaluated, and the Data Docs location.
    """
    to_validate = [target if isinstance(target, Target) else Target(target) for target in targets]
    url = settings.sqlalchemy_url(warehouse_url or settings.warehouse_url())
    os.environ[_URL_VARIABLE] = url.set(drivername="postgresql").render_as_string(hide_password=False)
    gx = _import_gx()
    from great_expectations.core.run_identifier import RunIdentifier

    with _exclusive_context():
        context = gx.get_context(mode="file", project_root_dir=str(gx_dir()))
        if context.variables.progress_bars is None:  # tqdm bars flood task logs
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context.variables.progress_bars = ProgressBarsConfig(globally=False)
            context.variables.save()
        try:
            datasource = context.data_sources.get(DATASOURCE)
        except KeyError:
            datasource = context.data_sources.add_sql(name=DATASOURCE, connection_string=f"${{{_URL_VARIABLE}}}")

        started = time.time()
        results: list = []  # (checkpoint result, the row columns of its relations)
        engine = warehouse.engine_for(warehouse_url or settings.warehouse_url())
        for row_columns, group in _grouped_by_row_columns(to_validate, engine).items():
            definitions = []
            for target in group:
                suite = context.suites.add_or_update(_load_suite(gx, target.suite))
                asset = _asset_for(datasource, target)
                try:
                    batch = asset.get_batch_definition("whole_table")
                except KeyError:
                    batch = asset.add_batch_definition_whole_table("whole_table")
                definition = gx.ValidationDefinition(name=target.suite, data=batch, suite=suite)
                definitions.append(context.validation_definitions.add_or_update(definition))
            name = checkpoint_name if not results else f"{checkpoint_name}__{'_'.join(row_columns) or 'rows'}"
            checkpoint = context.checkpoints.add_or_update(
                gx.Checkpoint(
                    name=name,
                    validation_definitions=definitions,
                    actions=[gx.checkpoint.UpdateDataDocsAction(name="update_data_docs")],
                    result_format={
                        "result_format": "SUMMARY",
                        "unexpected_index_column_names": list(row_columns),
                        "partial_unexpected_count": ROWS_SHOWN,
                    },
                )
            )
            parameters = {"as_of_date": as_of_date.isoformat()} if as_of_date else {}
            # the run's name and date, as Data Docs list it
            run_id = RunIdentifier(run_name=f"{checkpoint_name} {as_of_date or 'load'}", run_time=_now())
            results.append((checkpoint.run(expectation_parameters=parameters, run_id=run_id), row_columns))

        failures: list[Failure] = []
        evaluated = 0
        for result, row_columns in results:
            for identifier, run_result in result.run_results.items():
                docs = None
                for outcome in run_result.results:
                    evaluated += 1
                    if outcome.success:
                        continue
                    if docs is None:
                        sites = context.get_docs_sites_urls(resource_identifier=identifier, only_if_exists=False)
                        docs = next((site["site_url"] for site in sites if site.get("site_url")), "")
                    config = outcome.expectation_config
                    kwargs = config.kwargs
                    column = kwargs.get("column") or (
                        ",".join(kwargs["column_list"]) if kwargs.get("column_list") else None
                    )
                    failures.append(
                        Failure(
                            run_result.suite_name,
                            config.type,
                            column,
                            _describe(outcome),
                            _failing_rows(outcome, row_columns),
                            docs or None,
                        )
                    )

        data_docs.make_offline(data_docs_index().parent, since=started)  # the pages just written

    relations = [target.data_relation for target in to_validate]
    summary = {
        "checkpoint": checkpoint_name,
        "relations": relations,
        "expectations": evaluated,
        "failed": len(failures),
        "data_docs": str(data_docs_index()),
    }
    if failures:
        lines = "\n".join(f"  - {failure}" for failure in failures)
        raise DataQualityError(
            f"{checkpoint_name}: {len(failures)} of {evaluated} expectations failed; downstream tasks will not run:\n"
            f"{lines}\nData Docs: {data_docs_index()}"
        )
    log(f"{checkpoint_name}: all {evaluated} expectations passed on {len(relations)} relation(s)")
    return summary


def _asset_for(datasource, target: Target):
    """The GX asset reading the target's rows: its table, or a query when only some rows are validated.

    Assets are named after the suite; one whose definition differs from the target's is replaced."""
    schema, table = target.data_relation.split(".")
    try:
        asset = datasource.get_asset(target.suite)
    except LookupError:
        asset = None
    if asset is not None:
        unchanged = (
            getattr(asset, "query", None) == target.query()
            if target.where or target.relation
            else getattr(asset, "table_name", None) == table and asset.schema_name == schema
        )
        if unchanged:
            return asset
        datasource.delete_asset(target.suite)
    if target.where or target.relation:
        return datasource.add_query_asset(name=target.suite, query=target.query())
    return datasource.add_table_asset(name=target.suite, table_name=table, schema_name=schema)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _grouped_by_row_columns(targets: list[Target], engine) -> dict[tuple[str, ...], list[Target]]:
    """The targets grouped by the ROW_COLUMNS their relation has: one checkpoint per group, since GX takes the
    columns that name a failing row per checkpoint, and every relation validated by it must have them."""
    from sqlalchemy import text

    with engine.connect() as conn:
        present = {
            (schema, table): set(columns)
            for schema, table, columns in conn.execute(
                text(
                    "select table_schema, table_name, array_agg(column_name::text) "
                    "from information_schema.columns where column_name = any(:names) group by 1, 2"
                ),
                {"names": list(ROW_COLUMNS)},
            )
        }
    groups: dict[tuple[str, ...], list[Target]] = {}
    for target in targets:
        schema, _, table = target.data_relation.partition(".")
        have = present.get((schema, table), set())
        groups.setdefault(tuple(column for column in ROW_COLUMNS if column in have), []).append(target)
    return groups


def _failing_rows(outcome, row_columns: tuple[str, ...]) -> tuple[str, ...]:
    """The first failing rows of a column check, named by their row columns (file, line, key, date)."""
    rows = (outcome.result or {}).get("partial_unexpected_index_list") or []
    return tuple(
        ", ".join(f"{column}={row[column]}" for column in row_columns if column in row)
        for row in rows[:ROWS_SHOWN]
        if isinstance(row, dict)
    )


def _describe(outcome) -> str:
    result = outcome.result or {}
    if outcome.exception_info and outcome.exception_info.get("raised_exception"):
        return f"error: {outcome.exception_info.get('exception_message')}"
    if "unexpected_count" in result:
        examples = result.get("partial_unexpected_list") or []
        return f"{result['unexpected_count']} unexpected value(s), e.g. {examples[:3]}"
    if "observed_value" in result:
        return str(result["observed_value"])
    return json.dumps(result, default=str)[:200]
