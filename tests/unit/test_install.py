"""What `make install` leaves in .venv."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest


# The heaviest imports of a task, a gate and a test process.
@pytest.mark.parametrize("name", ["great_expectations", "airflow", "dbt.cli.main", "cosmos", "sqlalchemy"])
def test_the_locked_packages_are_installed_with_their_bytecode(name):
    """Where Python may not write bytecode (PYTHONDONTWRITEBYTECODE=1), a package installed without it is compiled
    again by every process that imports it; `make install` compiles it once (the figures: docs/performance.md,
    "The installed packages' bytecode")."""
    source = importlib.util.find_spec(name).origin
    assert Path(importlib.util.cache_from_source(source)).exists(), (
        f"{name} has no bytecode beside {source}: reinstall with `rm .venv/.installed && make install`"
    )
