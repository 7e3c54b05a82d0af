"""Airflow's components as separate processes on this machine: the topology of docker-compose without Docker.

`sme-credit airflow-services` starts the api-server, scheduler, dag-processor and triggerer, and with the
CeleryExecutor (the default here) Celery workers on the local Redis; each writes its own log under
`<state>/logs/services/`. It stops them all when it is interrupted, and all of them when one exits, so that a
half-running Airflow never stays behind. `sme-credit airflow-ui` (Airflow's `standalone`) is the one-process
alternative; it always runs the LocalExecutor.

Nothing listens beyond 127.0.0.1: the api-server binds AIRFLOW__API__HOST (127.0.0.1, see settings.airflow_env),
and the workers and the triggerer serve no logs over the network (every component shares one log folder here).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
STOP_SECONDS = 20


@dataclass
class Component:
    name: str
    args: list[str]


def components(executor: str, workers: int, concurrency: int, queue: str) -> list[Component]:
    listed = [
        Component("api-server", ["api-server"]),
        Component("scheduler", ["scheduler"]),
        Component("dag-processor", ["dag-processor"]),
        Component("triggerer", ["triggerer", "--skip-serve-logs"]),
    ]
    if executor == "celery":
        listed += [
            Component(
                f"worker{number}",
                [
                    "celery",
                    "worker",
                    "--celery-hostname",
                    f"worker{number}@%h",
                    "--concurrency",
                    str(concurrency),
                    "--queues",
                    queue,
                    "--skip-serve-logs",
                ],
            )
            for number in range(1, workers + 1)
        ]
    return listed


def environment(executor: str, queue: str) -> dict[str, str]:
    """This process's environment (settings.airflow_env applied) with the executor's settings."""
    env = dict(os.environ)
    if executor == "celery":
        env["AIRFLOW__CORE__EXECUTOR"] = "CeleryExecutor"
        broker = env.setdefault("AIRFLOW__CELERY__BROKER_URL", DEFAULT_BROKER)
        env.setdefault("AIRFLOW__CELERY__RESULT_BACKEND", broker)
        env["AIRFLOW__OPERATORS__DEFAULT_QUEUE"] = queue
    else:
        env["AIRFLOW__CORE__EXECUTOR"] = "LocalExecutor"
    return env


def run(executor: str, workers: int, concurrency: int, queue: str, log_dir: Path) -> int:
    """Start every component, then wait: until interrupted (exit 0) or until one component exits (exit 1)."""
    airflow = str(Path(sys.executable).with_name("airflow"))
    env = environment(executor, queue)
    log_dir.mkdir(parents=True, exist_ok=True)
    running: dict[str, subprocess.Popen] = {}
    stopping = False

    def stop(*_signal) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for component in components(executor, workers, concurrency, queue):
            log = log_dir / f"{component.name}.log"
            with log.open("a") as handle:
                running[component.name] = subprocess.Popen(
                    [airflow, *component.args], env=env, stdout=handle, stderr=subprocess.STDOUT
                )
            print(f"  {component.name:<14} pid {running[component.name].pid:<7} log {log}", flush=True)
        while not stopping:
            ended = {name: p.returncode for name, p in running.items() if p.poll() is not None}
            if ended:
                for name, code in ended.items():
                    print(f"{name} exited ({code}): see {log_dir / (name + '.log')}; stopping the others", flush=True)
                return 1
            time.sleep(1)
        return 0
    finally:
        _stop_all(running)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _stop_all(running: dict[str, subprocess.Popen]) -> None:
    for process in running.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_SECONDS
    for process in running.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
