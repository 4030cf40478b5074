"""Great Expectations suites and the gate that validates a build before it is published."""

import sys

# GX imports pyspark.sql.connect when pyspark is installed; pyspark mistakes a `python -c` session
# (a __main__ without __file__) for its own doctest run and calls sys.exit(0) if Spark Connect's
# optional dependencies are missing, silently ending the caller. Give such a __main__ a file name.
_main = sys.modules.get("__main__")
if _main is not None and getattr(_main, "__spec__", None) is None and not hasattr(_main, "__file__"):
    _main.__file__ = "<interactive>"

