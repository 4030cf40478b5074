"""Dagster's SQLite event log, keeping its connections open.

Dagster's own SQLite event log opens a new SQLAlchemy engine (and SQLite connection) for every event it
stores and disposes of it after, and a run of this pipeline stores over a thousand events: a materialization
or an asset check evaluation per dbt model and test, each also copied into the cross-run index. Opening the
engine, not writing the row, is most of each event's cost. This storage is the same sharded layout (one
database per run plus the index) with each shard's engine kept open for the next event; SQLite in WAL mode
still lets the webserver and the daemon read and write the same files from their own processes.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._core.storage.event_log.sqlite.sqlite_event_log import SQLITE_BUSY_TIMEOUT_SECONDS, SqliteEventLogStorage
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import SingletonThreadPool

OPEN_SHARDS = 4  # the index and the few runs a process writes at a time; a long-lived daemon sees many runs


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    def __init__(self, base_dir: str, inst_data=None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()  # before Dagster's __init__, which connects
        super().__init__(base_dir, inst_data)

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.pop(shard, None)
        if engine is None:
            # One connection per thread (SQLite's own rule), kept until the engine is dropped.
            engine = create_engine(self.conn_string_for_shard(shard), poolclass=SingletonThreadPool,
                                   connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS})
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
        self._engines[shard] = engine  # the most recently used last
        while len(self._engines) > OPEN_SHARDS:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def _close_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()

    def wipe(self) -> None:
        self._close_engines()  # it deletes the run databases, whose space an open connection would keep
        super().wipe()

    def dispose(self) -> None:
        self._close_engines()
        super().dispose()
