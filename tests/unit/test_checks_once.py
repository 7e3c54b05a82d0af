"""Each check once: a property of a dbt model is checked either by a dbt test or by a GX expectation of the
gate after the build, never by both (dbt tests the rules of each row, GX the layer's slice as a whole)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from sme_credit import rules, settings

# GX expectation -> the dbt generic test that checks the same property
SAME_PROPERTY = {
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_unique": "unique",
    "expect_compound_columns_to_be_unique": "unique_combination",
    "expect_column_values_to_be_in_set": "accepted_values",
    "expect_column_values_to_be_between": "accepted_range",
}


def _test_name(test) -> str:
    return test if isinstance(test, str) else next(iter(test))


def _dbt_properties() -> dict[str, set[tuple[str, str]]]:
    """(test, column or the combination's columns) per model, from every model YAML of the project."""
    found: dict[str, set[tuple[str, str]]] = {}
    for path in (settings.DBT_PROJECT_DIR / "models").rglob("*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            properties = found.setdefault(model["name"], set())
            for test in model.get("data_tests", []):
                if _test_name(test) == "unique_combination":
                    columns = test["unique_combination"]["arguments"]["combination_of_columns"]
                    properties.add(("unique_combination", ",".join(columns)))
                if _test_name(test) == "not_null_columns":  # the model's not_null tests, in one
                    properties.update(("not_null", c) for c in test["not_null_columns"]["arguments"]["columns"])
            for column in model.get("columns", []):
                for test in column.get("data_tests", []):
                    properties.add((_test_name(test), column["name"]))
    return found


def _suites() -> list[Path]:
    layers = ("staging", "intermediate", "marts")
    return sorted(path for layer in layers for path in (settings.EXPECTATIONS_DIR / layer).glob("*.json"))


@pytest.mark.parametrize("suite", _suites(), ids=lambda path: f"{path.parent.name}.{path.stem}")
def test_no_gx_expectation_repeats_a_dbt_test_of_its_model(suite: Path):
    dbt_tests = _dbt_properties()[suite.stem]
    for expectation in json.loads(suite.read_text(encoding="utf-8"))["expectations"]:
        kind = SAME_PROPERTY.get(expectation["type"])
        kwargs = expectation["kwargs"]
        target = ",".join(kwargs["column_list"]) if "column_list" in kwargs else kwargs.get("column", "")
        assert (kind, target) not in dbt_tests, f"{suite.name}: {expectation['type']} on {target} is also a dbt test"


def test_every_mart_suite_names_a_mart():
    suites = {path.stem for path in (settings.EXPECTATIONS_DIR / "marts").glob("*.json")}
    assert suites <= set(rules.marts())
