"""One local run at a time per state directory: a second `sme-credit run` refuses at once, naming the first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sme_credit import locking

SME_CREDIT = str(Path(sys.executable).with_name("sme-credit"))


def test_a_second_run_on_the_same_state_refuses_naming_the_first(tmp_path):
    env = {**os.environ, "SME_STATE_DIR": str(tmp_path)}
    with locking.held_or_refused(tmp_path / "run.lock", "a local run"):
        second = subprocess.run([SME_CREDIT, "run"], env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 3, second.stdout + second.stderr
    assert f"already running (pid {os.getpid()}, since " in second.stderr
    assert "wait for it to end" in second.stderr
    # the lock is free again once the first run has ended
    with locking.held_or_refused(tmp_path / "run.lock", "a local run"):
        pass
