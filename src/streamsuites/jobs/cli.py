"""``streamsuites jobs list|show|retry|cancel``: the jobs table from a shell.

It opens the runtime's SQLite file directly, so it works whether the runtime is stopped or
running: the file is in WAL mode, reads never block the runtime, and each change is one short
``BEGIN IMMEDIATE`` transaction. A running worker sees a retried job at its next poll and a
cancel request at its next heartbeat; nothing here talks to the runtime process.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeVar

from streamsuites.actions.database import BUSY_TIMEOUT_MS, in_transaction
from streamsuites.jobs import store
from streamsuites.jobs.model import JobStatus
from streamsuites.jobs.policy import CANCELLED_BY_OPERATOR
from streamsuites.state.render import iso

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable

    from streamsuites.jobs.model import JobRecord

__all__ = ["add_jobs_command", "cancel_command", "list_command", "retry_command", "show_command"]

EXIT_OK, EXIT_BAD_INPUT = 0, 2
DATABASE_FILE: Final = "streamsuites.db"
"""The runtime's database inside ``--data-dir`` (``RuntimeOptions.database``)."""

T = TypeVar("T")


class JobsCommandError(Exception):
    """Input the user can fix: printed as one line, exit code 2."""


def add_jobs_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``jobs`` and its actions to the ``streamsuites`` parser."""
    jobs = commands.add_parser("jobs", help="list, show, retry or cancel durable jobs")
    actions = jobs.add_subparsers(dest="jobs_command", required=True, metavar="ACTION")
    listing = _action(actions, "list", "list recent jobs, newest first", list_command)
    listing.add_argument("--status", choices=[s.value for s in JobStatus])
    listing.add_argument("--kind")
    listing.add_argument("--creator")
    listing.add_argument("--limit", type=int, default=50, help="default: 50")
    listing.add_argument("--json", action="store_true", help="print JSON instead of a table")
    show = _action(actions, "show", "print one job as JSON", show_command)
    show.add_argument("job_id", metavar="JOB_ID")
    retry = _action(actions, "retry", "queue a failed or cancelled job again", retry_command)
    retry.add_argument("job_id", metavar="JOB_ID")
    cancel = _action(actions, "cancel", "cancel a queued or running job", cancel_command)
    cancel.add_argument("job_id", metavar="JOB_ID")


def _action(
    actions: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    summary: str,
    command: Callable[[argparse.Namespace], int],
) -> argparse.ArgumentParser:
    parser = actions.add_parser(name, help=summary)
    parser.add_argument("--data-dir", type=Path, default=Path("data"), help="default: ./data")
    parser.set_defaults(handler=_reporting(command))
    return parser


def _reporting(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            return command(args)
        except JobsCommandError as exc:
            print(f"streamsuites jobs: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT

    return run


def list_command(args: argparse.Namespace) -> int:
    """Print the newest jobs (filtered) as a table or JSON."""
    filters = {"status": args.status, "kind": args.kind, "creator_id": args.creator}
    jobs = _with_database(
        args.data_dir, lambda conn: store.list_jobs(conn, max(args.limit, 0), **filters)
    )
    if args.json:
        print(json.dumps([_summary(job) for job in jobs], indent=2))
    else:
        print(format_table(jobs))
    return EXIT_OK


def show_command(args: argparse.Namespace) -> int:
    """Print one job, payload, lease and progress included, as JSON."""
    job = _with_database(args.data_dir, lambda conn: store.get_job(conn, args.job_id))
    if job is None:
        raise JobsCommandError(f"no job {args.job_id!r}")
    print(json.dumps(_detail(job), indent=2))
    return EXIT_OK


def retry_command(args: argparse.Namespace) -> int:
    """Queue a failed or cancelled job again, with a fresh attempt budget."""
    job_id = args.job_id

    def retry(conn: sqlite3.Connection) -> tuple[bool, JobRecord | None]:
        return store.retry_job(conn, job_id, time.time()), store.get_job(conn, job_id)

    done, job = _with_database(args.data_dir, retry, write=True)
    if job is None:
        raise JobsCommandError(f"no job {job_id!r}")
    if not done:
        raise JobsCommandError(f"job {job_id} is {job.status}; only failed or cancelled jobs retry")
    print(f"job {job_id} queued again")
    return EXIT_OK


def cancel_command(args: argparse.Namespace) -> int:
    """Cancel a queued job, or ask the worker running a job to stop it."""
    job_id, reason = args.job_id, CANCELLED_BY_OPERATOR

    def cancel(conn: sqlite3.Connection) -> tuple[JobStatus | None, JobRecord | None]:
        was = store.cancel_job(conn, job_id, time.time(), reason)
        return was, store.get_job(conn, job_id)

    was, job = _with_database(args.data_dir, cancel, write=True)
    if job is None:
        raise JobsCommandError(f"no job {job_id!r}")
    if was is None:
        raise JobsCommandError(f"job {job_id} is {job.status}; nothing to cancel")
    if was is JobStatus.RUNNING:
        print(
            f"job {job_id} is running: its worker cancels it at its next heartbeat"
            " (or, if that worker died, the next one when the lease expires)"
        )
    else:
        print(f"job {job_id} cancelled")
    return EXIT_OK


def _with_database(
    data_dir: Path, call: Callable[[sqlite3.Connection], T], *, write: bool = False
) -> T:
    path = data_dir / DATABASE_FILE
    if not path.is_file():
        raise JobsCommandError(f"no database at {path}: pass the --data-dir the runtime uses")
    with closing(sqlite3.connect(path, isolation_level=None)) as conn:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Brings a table written by an older version up to date (a no-op otherwise).
        in_transaction(conn, store.create_table)
        return in_transaction(conn, call) if write else call(conn)


_HEADER: Final = ("ID", "KIND", "CREATOR", "STATUS", "TRIES", "UPDATED", "DETAIL")


def format_table(jobs: list[JobRecord]) -> str:
    """Return `jobs` as an aligned text table (``no jobs`` when empty)."""
    if not jobs:
        return "no jobs"
    rows = [_HEADER, *(_row(job) for job in jobs)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_HEADER) - 1)]
    return "\n".join(
        "  ".join(
            [*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]
        ).rstrip()
        for row in rows
    )


def _row(job: JobRecord) -> tuple[str, ...]:
    updated = iso(job.updated_at) or ""
    return (
        job.job_id,
        job.kind,
        job.creator_id,
        _status(job),
        str(job.attempts),
        updated,
        _info(job),
    )


def _status(job: JobRecord) -> str:
    return "refused" if job.refused else job.status.value


def _info(job: JobRecord) -> str:
    if job.status is JobStatus.RUNNING and job.progress is not None:
        return f"stage: {job.progress.stage}"
    return job.last_error or ""


def _summary(job: JobRecord) -> dict[str, Any]:
    return {
        "id": job.job_id,
        "kind": job.kind,
        "creator_id": job.creator_id,
        "status": job.status.value,
        "refused": job.refused,
        "attempts": job.attempts,
        "created_at": iso(job.created_at),
        "updated_at": iso(job.updated_at),
        "error": job.last_error,
        "progress": _progress(job),
    }


def _progress(job: JobRecord) -> dict[str, Any] | None:
    if job.progress is None:
        return None
    p = job.progress
    return {"stage": p.stage, "at": iso(p.at), "detail": dict(p.detail)}


def _detail(job: JobRecord) -> dict[str, Any]:
    return {
        **_summary(job),
        "payload": job.payload,
        "result": job.result,
        "next_run_at": iso(job.next_run_at) if job.status is JobStatus.QUEUED else None,
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
        "lease": {
            "owner": job.lease_owner,
            "expires_at": iso(job.lease_expires_at),
            "heartbeat_at": iso(job.heartbeat_at),
            "cancel_requested": job.cancel_requested,
        },
    }
