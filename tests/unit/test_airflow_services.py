"""The local topology `sme-credit airflow-services` starts: what docker-compose runs, bound to this machine."""

from __future__ import annotations

from sme_credit_dev.airflow_services import components, environment


def test_celery_runs_every_component_and_the_workers_on_one_queue():
    started = {c.name: c.args for c in components("celery", workers=2, concurrency=3, queue="q1")}
    assert set(started) == {"api-server", "scheduler", "dag-processor", "triggerer", "worker1", "worker2"}
    for worker in ("worker1", "worker2"):
        args = started[worker]
        assert args[:2] == ["celery", "worker"]
        assert args[args.index("--queues") + 1] == "q1" and args[args.index("--concurrency") + 1] == "3"
    assert started["worker1"][started["worker1"].index("--celery-hostname") + 1].startswith("worker1@")
    # nothing serves logs on 0.0.0.0: every component writes into the one local log folder
    assert all("--skip-serve-logs" in started[name] for name in ("triggerer", "worker1", "worker2"))


def test_the_local_executor_needs_no_workers_and_no_broker(monkeypatch):
    monkeypatch.delenv("AIRFLOW__CELERY__BROKER_URL", raising=False)
    assert {c.name for c in components("local", workers=2, concurrency=2, queue="q")} == {
        "api-server",
        "scheduler",
        "dag-processor",
        "triggerer",
    }
    env = environment("local", "q")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor" and "AIRFLOW__CELERY__BROKER_URL" not in env


def test_celery_defaults_to_the_local_redis_and_routes_tasks_to_the_queue(monkeypatch):
    monkeypatch.delenv("AIRFLOW__CELERY__BROKER_URL", raising=False)
    monkeypatch.delenv("AIRFLOW__CELERY__RESULT_BACKEND", raising=False)
    env = environment("celery", "q1")
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://127.0.0.1:")
    assert env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"] == "q1"
