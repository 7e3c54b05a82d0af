"""SME pre-credit pipeline: the Python side of the Airflow DAGs (ingestion, validation, publishing, tooling)."""

__version__ = "0.1.0"
