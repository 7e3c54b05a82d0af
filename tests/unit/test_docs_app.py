"""The docs pages serve files of their own folders only."""

from __future__ import annotations

from sme_credit.orchestration.docs_app import _inside


def test_only_files_inside_the_docs_folder_are_served(tmp_path):
    site = tmp_path / "site"
    (site / "validations").mkdir(parents=True)
    (site / "validations" / "page.html").write_text("ok")
    (tmp_path / "secret.txt").write_text("no")
    assert _inside(site, "validations/page.html") == (site / "validations" / "page.html").resolve()
    assert _inside(site, "../secret.txt") is None
    assert _inside(site, "validations/../../secret.txt") is None
    assert _inside(site, str(tmp_path / "secret.txt")) is None  # an absolute path
    assert _inside(site, "validations") is None  # a folder
    assert _inside(site, "missing.html") is None
