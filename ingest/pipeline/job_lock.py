"""One coordinator per job at a time: upload, resume and retry hold the job's lock.

Two `ingest retry` runs of the same job would each send a round over the same failures and
both count their successes. The lock prevents that. It expires :data:`LOCK_TTL_SECONDS` after
its holder stops refreshing it, and a holder on this machine whose process is gone is taken
over at once, so a killed coordinator does not block `ingest resume`.

A coordinator that was paused (SIGSTOP, a suspended laptop, a long GC pause) for longer than
the expiry may find on waking that another process took the job over. :meth:`HeldLock.check`,
called before each chunk is sent and before the final state is written, then raises
:class:`LockLost`, so the paused process stops instead of running the job a second time.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

from ingest.errors import JobError
from ingest.pipeline.store import JobStore

logger = logging.getLogger(__name__)

LOCK_TTL_SECONDS = 30


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _holder_is_dead(owner: str) -> bool:
    """Return True when ``owner`` is a process on this machine that no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return _is_zombie(int(pid_text))


def _is_zombie(pid: int) -> bool:
    """Return True when ``pid`` has exited but its parent has not reaped it yet (Linux).

    A coordinator killed with SIGKILL from a shell or a supervisor stays a zombie until its
    parent waits for it, and signal 0 still reaches a zombie.
    """
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    state = stat.rpartition(")")[2].split()[:1]
    return state in (["Z"], ["X"])


class LockLost(JobError):
    """Raised in a coordinator whose job was taken over by another process."""


class HeldLock:
    """The lock of one job as held by this process."""

    def __init__(self, store: JobStore, job_id: str, owner: str) -> None:
        self.store = store
        self.job_id = job_id
        self.owner = owner

    def check(self) -> None:
        """Raise :class:`LockLost` unless this process still owns the job's lock.

        A lock that expired is taken again only when no other coordinator took the job in
        the meantime: the job's spec names the last one, even after it released the lock.
        """
        last = self.store.get_spec(self.job_id).coordinator
        if last == self.owner and self.store.acquire_lock(
            self.job_id, self.owner, LOCK_TTL_SECONDS
        ):
            return
        holder = self.store.lock_owner(self.job_id) or last
        raise LockLost(
            f"job {self.job_id!r} was taken over by another process ({holder}) while this one "
            f"was paused for more than {LOCK_TTL_SECONDS}s; this process stops so that the job "
            f"does not run twice. Follow it with `ingest status {self.job_id}`"
        )


@contextlib.contextmanager
def job_lock(store: JobStore, job_id: str) -> Iterator[HeldLock]:
    """Hold the job's lock while the block runs; raise JobError when another process has it."""
    owner = _owner()
    if not store.acquire_lock(job_id, owner, LOCK_TTL_SECONDS):
        holder = store.lock_owner(job_id)
        if holder and _holder_is_dead(holder):
            logger.info("job %s: taking over the lock of stopped process %s", job_id, holder)
            store.release_lock(job_id, holder)
        if not store.acquire_lock(job_id, owner, LOCK_TTL_SECONDS):
            raise JobError(
                f"job {job_id!r} is being run by another process ({holder}); wait for it to "
                f"finish, or stop it: its lock expires {LOCK_TTL_SECONDS}s after it stops"
            )
    try:
        spec = store.get_spec(job_id)
        spec.coordinator = owner
        store.update_spec(spec)
    except BaseException:
        store.release_lock(job_id, owner)
        raise
    stop = threading.Event()
    refresher = threading.Thread(
        target=_refresh, args=(store, job_id, owner, stop), name="ingest-lock", daemon=True
    )
    refresher.start()
    try:
        yield HeldLock(store, job_id, owner)
    finally:
        stop.set()
        refresher.join()
        store.release_lock(job_id, owner)


def _refresh(store: JobStore, job_id: str, owner: str, stop: threading.Event) -> None:
    while not stop.wait(LOCK_TTL_SECONDS / 3):
        try:
            if not store.acquire_lock(job_id, owner, LOCK_TTL_SECONDS):
                logger.warning("job %s: lost its lock to another process", job_id)
        except Exception as error:  # the store may be briefly unreachable; try again later
            logger.warning("job %s: could not refresh its lock: %s", job_id, error)
