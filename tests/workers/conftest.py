"""A real cluster for end-to-end tests: the local API, Redis and two `celery worker` processes.

The workers are started once per session and restarted only by tests that need another
target (fault injection) or that kill one. Tests isolate themselves by app id and job id,
never by flushing Redis while workers run: that would delete kombu's queue bindings.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis
from PIL import Image

from ingest.config import Settings
from ingest.localapi import LocalServer

ROOT = Path(__file__).resolve().parents[2]
PAT = "test-pat-0123456789abcdef"
USER = "tester"
CELERY = str(Path(sys.executable).with_name("celery"))
INGEST = str(Path(sys.executable).with_name("ingest"))


@dataclass
class Worker:
    """One `celery worker` subprocess in its own process group, with its log file."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes, as a machine crash would."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Cluster:
    """Two workers on one Redis database, uploading to one local API."""

    redis_url: str
    data_roots: list[Path]
    log_dir: Path
    base_url: str = ""
    workers: list[Worker] = field(default_factory=list)
    starts: int = 0

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CLARIFAI_", "INGEST_"))}
        env.update(
            INGEST_BROKER_URL=self.redis_url,
            CLARIFAI_API_BASE=self.base_url,
            CLARIFAI_PAT=PAT,
            CLARIFAI_USER_ID=USER,
            INGEST_DATA_ROOTS=os.pathsep.join(str(p) for p in self.data_roots),
            INGEST_VISIBILITY_TIMEOUT="8",
            INGEST_RETRY_ATTEMPTS="15",
            INGEST_RETRY_BASE_DELAY="0.02",
            INGEST_RETRY_MAX_DELAY="0.5",
            INGEST_HOME=str(self.log_dir / "home"),
        )
        return env

    def start(self, base_url: str) -> None:
        self.stop()
        self.base_url = base_url
        for index in range(2):
            self.workers.append(self._spawn(index))
        for worker in self.workers:
            _wait_for(lambda w=worker: b" ready." in w.log.read_bytes(), 60, f"{worker.name} ready")

    def restart_worker(self, index: int) -> None:
        """Start a fresh worker in place of worker ``index`` (after it was killed)."""
        self.workers[index].kill()
        worker = self._spawn(index)
        self.workers[index] = worker
        _wait_for(lambda: b" ready." in worker.log.read_bytes(), 60, f"{worker.name} ready")

    def _spawn(self, index: int) -> Worker:
        """Start one `celery worker` process with two slots, logging to its own file."""
        self.starts += 1
        name = f"w{index}-{self.starts}"
        log = self.log_dir / f"{name}.log"
        argv = [CELERY, "-A", "workers.celery_app", "worker", "-Q", "ingest,predict"]
        argv += ["--concurrency", "2", "--hostname", f"{name}@localhost", "--loglevel", "INFO"]
        argv += ["--without-gossip", "--without-mingle"]
        with log.open("wb") as handle:
            process = subprocess.Popen(
                argv,
                cwd=ROOT,
                env=self.env(),
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return Worker(name, process, log)

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers = []

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("*.log")))

    def settings(self, home: Path) -> Settings:
        return Settings(
            broker_url=self.redis_url, pat=PAT, user_id=USER, api_base=self.base_url, home=home
        )


def _wait_for(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@pytest.fixture(scope="session")
def small_images(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 tiny PNGs in 4 class folders, made once per session."""
    root = tmp_path_factory.mktemp("small-images")
    for index in range(2000):
        folder = root / f"class{index % 4}"
        folder.mkdir(exist_ok=True)
        Image.new("RGB", (8, 6), (index % 256, (index // 256) % 256, 90)).save(
            folder / f"img{index:05d}.png"
        )
    return root


@pytest.fixture(scope="session")
def session_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    with LocalServer(data_dir=tmp_path_factory.mktemp("localapi"), pats=[PAT]) as server:
        yield server


@pytest.fixture(scope="session")
def cluster(
    redis_url: str,
    session_api: LocalServer,
    small_images: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    """Two celery workers, started once; the Redis test database is emptied first."""
    redis.Redis.from_url(redis_url).flushdb()
    roots = [small_images, tmp_path_factory.getbasetemp()]
    datasets = ROOT.parent / "shared" / "datasets"
    if datasets.is_dir():
        roots.append(datasets.resolve())
    cluster = Cluster(redis_url, roots, tmp_path_factory.mktemp("worker-logs"))
    cluster.start(session_api.base_url)
    yield cluster
    cluster.stop()


@pytest.fixture
def workers(cluster: Cluster, session_api: LocalServer) -> Cluster:
    """The cluster, running and pointed at the session's local API."""
    alive = cluster.workers and all(w.process.poll() is None for w in cluster.workers)
    if not alive or cluster.base_url != session_api.base_url:
        cluster.start(session_api.base_url)
    return cluster


class AppView:
    """Reads what landed in one app of the local API."""

    def __init__(self, base_url: str, app_id: str) -> None:
        from ingest.client.transport import Connection

        self.connection = Connection.open(base_url, PAT)
        self.app_id = app_id

    @property
    def scope(self) -> object:
        from clarifai_grpc.grpc.api import resources_pb2

        return resources_pb2.UserAppIDSet(user_id=USER, app_id=self.app_id)

    def _list(self, method: str, field_name: str, **fields: object) -> list[object]:
        from clarifai_grpc.grpc.api import service_pb2

        from ingest.client.rpc import call
        from ingest.pipeline.retry_policy import RetryPolicy

        found: list[object] = []
        page = 1
        while True:
            request = getattr(service_pb2, f"{method}Request")(
                user_app_id=self.scope, page=page, per_page=1000, **fields
            )
            response = RetryPolicy(max_attempts=30, base_delay=0.01, max_delay=0.1).call(
                lambda r=request: call(self.connection, method, r), what=method
            )
            items = list(getattr(response, field_name))
            found.extend(items)
            if len(items) < 1000:
                return found
            page += 1

    def input_ids(self) -> list[str]:
        return [item.id for item in self._list("ListInputs", "inputs")]  # type: ignore[attr-defined]

    def region_annotations(self) -> list[object]:
        annotations = self._list("ListAnnotations", "annotations", list_all_annotations=True)
        return [a for a in annotations if a.data.regions]  # type: ignore[attr-defined]

    def concept_ids(self) -> set[str]:
        return {c.id for c in self._list("ListConcepts", "concepts")}  # type: ignore[attr-defined]

    def dataset_input_ids(self, dataset_id: str) -> list[str]:
        items = self._list("ListDatasetInputs", "dataset_inputs", dataset_id=dataset_id)
        return [item.input.id for item in items]  # type: ignore[attr-defined]

    def close(self) -> None:
        self.connection.close()


def run_cli(
    cluster: Cluster, *args: str, home: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the ingest command as a coordinator against the cluster."""
    env = cluster.env()
    env["INGEST_HOME"] = str(home)
    return subprocess.run(
        [INGEST, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
