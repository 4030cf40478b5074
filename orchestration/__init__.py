"""modqa: moderation QA warehouse (ingest, dbt, Great Expectations gate, Dagster, CLI)."""

import warnings

# pyspark 4 (the Spark target's driver, imported by GX and Dagster integrations when installed) warns
# about pandas 3 on import; Spark runs in its own process through dbt-spark, so the warning is noise.
warnings.filterwarnings("ignore", message=".*PySpark does not yet fully support pandas.*")
