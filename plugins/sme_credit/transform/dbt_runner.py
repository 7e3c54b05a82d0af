"""dbt: the Cosmos configuration the DAGs use, and keeping the parsed manifest current."""

from __future__ import annotations

import os
from pathlib import Path

from sme_credit import settings
from sme_credit.errors import ManifestMissing  # noqa: F401 - raised here, defined with the others

# The manifest Cosmos renders the build DAG from: always the project's own, parsed before the DAGs load
MANIFEST = settings.DBT_PROJECT_DIR / "target" / "manifest.json"
_IGNORED_DIRS = {"target", "logs", "dbt_packages"}


def _project_files() -> list[Path]:
    files = []
    for path in settings.DBT_PROJECT_DIR.rglob("*"):
        relative = path.relative_to(settings.DBT_PROJECT_DIR)
        if path.is_file() and relative.parts[0] not in _IGNORED_DIRS:
            files.append(path)
    return files


def manifest_is_current() -> bool:
    if not MANIFEST.exists():
        return False
    built = MANIFEST.stat().st_mtime
    return all(path.stat().st_mtime <= built for path in _project_files())


def target_dir() -> Path:
    """Where dbt writes what an invocation compiled and ran: DBT_TARGET_PATH when set (each test worker has its
    own, so that two builds at once never write the same files), else the project's `target`."""
    return Path(os.environ.get("DBT_TARGET_PATH") or settings.DBT_PROJECT_DIR / "target")


def run_dbt(*args: str) -> None:
    """Run a dbt command in-process against the project, raising with dbt's own message on failure."""
    from dbt.cli.main import dbtRunner

    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
    project = str(settings.DBT_PROJECT_DIR)
    result = dbtRunner().invoke([*args, "--project-dir", project, "--profiles-dir", project])
    if not result.success:
        raise RuntimeError(f"dbt {' '.join(args)} failed: {result.exception or 'see the dbt log above'}")


def docs_page() -> Path:
    """dbt's docs as one self-contained page, in local state (the Airflow UI links it: airflow_plugin)."""
    return settings.state_dir() / "dbt_docs" / "static_index.html"


def generate_docs() -> Path:
    """`dbt docs generate --static` into local state: the models, their columns and tests, and the warehouse's
    catalog, in a page that needs no server and no network. Its own target path leaves the project's
    manifest (which Cosmos renders the build DAG from) alone."""
    run_dbt("docs", "generate", "--static", "--quiet", "--target-path", str(docs_page().parent))
    return docs_page()


def ensure_manifest() -> Path:
    """`dbt parse` when the manifest is missing or older than any project file (Cosmos renders from it)."""
    if not manifest_is_current():
        print("Parsing the dbt project (dbt parse) ...", flush=True)
        run_dbt("parse", "--quiet")
    return MANIFEST


# The build DAG's one dbt task group and what it selects: every layer, in one `dbt build`, as a plain build
# would. Both GX gates run after it and before anything is published: the marts are written to marts_build,
# which nobody reads, so one build keeps write-audit-publish and saves a second dbt start-up and parse.
BUILD_GROUP = "dbt"
BUILD_SELECTION = ("path:seeds", "path:models")


def _watcher_mode() -> bool:
    return settings.dbt_execution_mode() == "watcher"


def cosmos_configs():
    """Project, profile and execution configuration shared by every DbtTaskGroup."""
    from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig
    from cosmos.constants import ExecutionMode, InvocationMode

    if not MANIFEST.exists():
        raise ManifestMissing(
            f"{MANIFEST} is missing: run `sme-credit dbt parse` (make run does it) before loading the DAGs"
        )
    project = ProjectConfig(dbt_project_path=settings.DBT_PROJECT_DIR, manifest_path=MANIFEST, install_dbt_deps=False)
    profile = ProfileConfig(
        profile_name="sme_credit",
        target_name="warehouse",
        profiles_yml_filepath=settings.DBT_PROJECT_DIR / "profiles.yml",
    )
    # WATCHER: one `dbt build` for the group (dbt started once, not once per model), while a sensor per model shows
    # its state in the Airflow UI; LOCAL: an Airflow task per model (per-model retries, but dbt start-up each).
    mode = ExecutionMode.WATCHER if _watcher_mode() else ExecutionMode.LOCAL
    execution = ExecutionConfig(
        execution_mode=mode,
        invocation_mode=InvocationMode.DBT_RUNNER,
    )
    return project, profile, execution


def wire_watchers(group):
    """In watcher mode, run the group's one `dbt build` in the quiet producer of `sme_credit.transform.cosmos_watcher`,
    and let each model's sensor start once the build has finished, reading the producer's one XCom of results.
    Returns what the rest of the DAG follows: the end of the build, not the sensors (the group in local mode).

    Cosmos starts the sensors beside the producer and has them defer until their model's result arrives: under
    `airflow dags test` (what `make run` uses), which runs one task at a time, a deferred sensor waits for a
    producer that never gets its turn. After the producer, each sensor finds its model's result at the first
    look, so every model still shows its own state and log in the UI, for the cost of one dbt start-up.
    Under the scheduler the sensors still cost time, however little they do: a sensor starts only once the
    sensors of its parents have ended, a round trip through the scheduler each, 11 levels deep on this project
    (40 s of a tiny build's run, whose `dbt build` took 16 s). So the gates and publishing follow the build's
    end, not the sensors, which report beside them (the DAG keeps them inside the build lease's scope, so that
    a run with nothing to build skips them too); and each sensor starts in the triggerer, not on a worker
    (`cosmos_watcher.NodeResultTrigger`), so that 41 task processes do not take the cores from the gates. A
    failed model fails the build itself, so nothing is published after one either way."""
    from cosmos.constants import PRODUCER_WATCHER_TASK_ID

    from sme_credit.transform.cosmos_watcher import RESULT_SENSORS, QuietDbtProducerWatcherOperator, start_in_triggerer

    tasks = list(group.iter_tasks())
    producer = next((t for t in tasks if t.task_id.endswith(PRODUCER_WATCHER_TASK_ID)), None)
    if producer is None:
        return group
    # Cosmos picks the producer's class by name, with no option for a subclass: swap it in here
    producer.__class__ = QuietDbtProducerWatcherOperator
    for task in tasks:
        if hasattr(task, "model_unique_id") and task is not producer:
            if type(task) not in RESULT_SENSORS:
                raise TypeError(f"{task.task_id}: no sensor in cosmos_watcher reads a {type(task).__name__}")
            task.__class__ = RESULT_SENSORS[type(task)]
            task.deferrable = False
            task.poke_interval = 1
            task.timeout = 300  # the build has ended: a status still missing after that never comes
            task.mode = "poke"
            task.trigger_rule = "all_done"  # a failed build still reports each model's own state
            start_in_triggerer(task)
            producer >> task
    # Cosmos's marker of the producer's end (failed when the build failed), else the producer itself
    return next((t for t in tasks if t.task_id.endswith(f"{PRODUCER_WATCHER_TASK_ID}_done")), producer)


def render_config(*selectors: str):
    from cosmos import RenderConfig
    from cosmos.constants import LoadMode, TestBehavior

    # emit_datasets=False: the DAG declares its own Assets after the GX gate, not per dbt model.
    # WATCHER, NONE: the group's tests run inside its one `dbt build` (see `operator_args`), in dbt's own order,
    # so a test never runs before its parents are built and dbt starts once, not twice (AFTER_ALL added a
    # second `dbt test` process: 1.49x a plain build instead of the 1.2x asked).
    # LOCAL, AFTER_ALL: one task per model, then the group's tests at once, so a relationships test never runs
    # before both of its parents are built.
    return RenderConfig(
        load_method=LoadMode.DBT_MANIFEST,
        select=list(selectors),
        test_behavior=TestBehavior.NONE if _watcher_mode() else TestBehavior.AFTER_ALL,
        emit_datasets=False,
    )


def operator_args(as_of_date: str) -> dict:
    """Arguments for every dbt task of the build DAG.

    In watcher mode Cosmos appends `--resource-type model/seed/snapshot` to the group's `dbt build` when the
    tests are not rendered as tasks; adding `test` and `unit_test` here keeps the tests in that same build, so a
    failing test fails the group (and skips the models after it) as in a plain `dbt build`."""
    args = {"install_deps": False, "vars": {"as_of_date": as_of_date}}
    if _watcher_mode():
        args["dbt_cmd_flags"] = ["--resource-type", "test", "--resource-type", "unit_test"]
    return args
