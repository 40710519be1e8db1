"""A throwaway PostgreSQL primary and its streaming replica on free loopback ports, for the read-replica tests.

    with Replicated() as pair:       # initdb a primary, pg_basebackup -R a standby of it, start both
        pair.primary_url("cms"), pair.replica_url("cms")
        pair.pause_replay(); pair.resume_replay(); pair.wait_caught_up(); pair.stop_replica()

Its own primary (not the machine's PostgreSQL) so the test needs no replication rights there, cannot disturb
it, and can stop, pause and lag its replica at will. The binaries are PostgreSQL 15's (`PG_BIN`, default
/usr/lib/postgresql/15/bin); `available()` says why they cannot be used (the test then skips). PostgreSQL
refuses to run as root: as root, the clusters run as the `postgres` system user (through `runuser`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from tests.delivery.servers import free_port

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
SETTINGS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    " -c shared_buffers=16MB -c max_connections=40 -c wal_level=replica -c max_wal_senders=4"
)


def available() -> str | None:
    """None when a primary and replica can be started here, else the reason they cannot."""
    for tool in ("initdb", "pg_ctl", "pg_basebackup", "postgres"):
        if not (PG_BIN / tool).exists():
            return f"no {PG_BIN / tool}"
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root without runuser"
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres user"
    return None


class Replicated:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cms-pg-replica-"))
        self.primary_dir = self.root / "primary"
        self.replica_dir = self.root / "replica"
        self.primary_port = free_port()
        self.replica_port = free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            postgres = pwd.getpwnam("postgres")
            os.chown(self.root, postgres.pw_uid, postgres.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    # -- lifecycle --------------------------------------------------------------------------------------
    def __enter__(self) -> Replicated:
        try:
            self._run(
                "initdb", "-D", str(self.primary_dir), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"
            )
            self._start(self.primary_dir, self.primary_port)
            with self.connect(self.primary_port, "postgres") as conn:
                conn.execute("CREATE DATABASE cms")
            self._run(
                "pg_basebackup",
                *("-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"),
                *("-D", str(self.replica_dir), "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"),
            )
            self._start(self.replica_dir, self.replica_port)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for directory in (self.replica_dir, self.primary_dir):
            if (directory / "postmaster.pid").exists():
                self._pg_ctl(directory, "stop", "-m", "immediate", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        done = subprocess.run(
            [*self.as_user, str(PG_BIN / tool), *args], capture_output=True, text=True, timeout=120, cwd=self.root
        )
        if check and done.returncode != 0:
            log = "".join(path.read_text() for path in self.root.glob("*.log"))
            raise RuntimeError(f"{tool} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}\n{log}")
        return done

    def _pg_ctl(self, directory: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return self._run("pg_ctl", "-D", str(directory), "-w", "-t", "60", *args, check=check)

    def _start(self, directory: Path, port: int) -> None:
        options = f"{SETTINGS} -c port={port} -c unix_socket_directories={directory}"
        self._pg_ctl(directory, "-o", options, "-l", str(self.root / f"{directory.name}.log"), "start")

    def stop_replica(self) -> None:
        self._pg_ctl(self.replica_dir, "stop", "-m", "immediate")

    # -- talking to them --------------------------------------------------------------------------------
    def url(self, port: int, database: str = "cms") -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{database}"

    def primary_url(self) -> str:
        return self.url(self.primary_port)

    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def connect(self, port: int, database: str = "cms") -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname=database, autocommit=True)

    def on_replica(self, sql: str):
        with self.connect(self.replica_port) as conn:
            return conn.execute(sql).fetchone()

    def pause_replay(self) -> None:
        self.on_replica("SELECT pg_wal_replay_pause()")
        deadline = time.monotonic() + 10
        while self.on_replica("SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
            assert time.monotonic() < deadline, "the replica did not pause"
            time.sleep(0.02)

    def resume_replay(self) -> None:
        self.on_replica("SELECT pg_wal_replay_resume()")

    def wait_caught_up(self, timeout: float = 20) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        with self.connect(self.primary_port) as conn:
            target = conn.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        while True:
            replayed = self.on_replica(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0]
            if replayed:
                return
            assert time.monotonic() < deadline, "the replica did not catch up"
            time.sleep(0.02)
