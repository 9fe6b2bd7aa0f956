"""The local API server: gRPC on a loopback port, SQLite and files under ``data_dir``."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from concurrent import futures
from pathlib import Path
from types import TracebackType

import grpc
from clarifai_grpc.grpc.api import resources_pb2, service_pb2_grpc

from ingest.errors import ConfigError
from ingest.localapi.auth import AuthInterceptor
from ingest.localapi.faults import FaultConfig, FaultDice, FaultInterceptor
from ingest.localapi.models import (
    PUBLIC_APP_ID,
    PUBLIC_USER_ID,
    LocalModel,
    ModelRegistry,
    builtin_models,
)
from ingest.localapi.processing import InputProcessor
from ingest.localapi.servicer import LocalServicer, ServerState, module_rpc_handler
from ingest.localapi.store import BlobStore, Database, ObjectStore, Scope

logger = logging.getLogger(__name__)

# Clarifai accepts requests of up to 128 MB; leave room for the envelope.
MAX_MESSAGE_BYTES = 130 * 1024 * 1024
DEFAULT_RPC_WORKERS = 16
DEFAULT_PROCESSING_WORKERS = 2


class LocalServer:
    """A Clarifai-compatible V2 server, usable as a context manager or with start() / stop().

    ``port=0`` picks a free port, readable from :attr:`port` after :meth:`start`. Every call
    needs ``authorization: Key <PAT>`` with a key from ``pats`` unless ``allow_no_auth``.
    """

    def __init__(
        self,
        data_dir: Path,
        pats: Iterable[str],
        host: str = "127.0.0.1",
        port: int = 0,
        allow_no_auth: bool = False,
        allow_url_fetch: bool = False,
        faults: FaultConfig | None = None,
        workers: int = DEFAULT_RPC_WORKERS,
        processing_workers: int = DEFAULT_PROCESSING_WORKERS,
        models: Iterable[LocalModel] = (),
    ) -> None:
        self.data_dir = Path(data_dir)
        self.pats = [pat for pat in pats if pat]
        if not self.pats and not allow_no_auth:
            raise ConfigError(
                "the local API needs at least one accepted PAT; pass --pat KEY "
                "(or set INGEST_LOCALAPI_PATS), or start it with --allow-no-auth"
            )
        self.host = host
        self.requested_port = port
        self.allow_no_auth = allow_no_auth
        self.allow_url_fetch = allow_url_fetch
        self.faults = faults or FaultConfig()
        self.workers = workers
        self.processing_workers = processing_workers
        self.models = ModelRegistry([*builtin_models(), *models])
        self._port: int | None = None
        self._server: grpc.Server | None = None
        self._processor: InputProcessor | None = None
        self._db: Database | None = None
        self._dice = FaultDice(self.faults.seed)

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the local API server is not started; call start() first")
        return self._port

    @property
    def base_url(self) -> str:
        """The ``CLARIFAI_API_BASE`` of this server, such as ``http://127.0.0.1:50051``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> LocalServer:
        """Open the store, bind the port, and start serving and processing."""
        state = self._open_state()
        self._server = self._build_server(state)
        address = f"{self.host}:{self.requested_port}"
        try:
            self._port = self._server.add_insecure_port(address)
        except RuntimeError as error:
            self.stop()
            raise ConfigError(
                f"could not bind the local API to {address!r}: {error}; choose another port"
            ) from error
        self._server.start()
        state.processor.start()
        logger.info(
            "local API listening on %s, data in %s%s",
            self.base_url,
            self.data_dir,
            " (no authentication)" if self.allow_no_auth else "",
        )
        return self

    def _open_state(self) -> ServerState:
        """Open the database and blob folder and create the (not yet started) processor."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._db = Database(self.data_dir / "localapi.sqlite3")
        objects = ObjectStore(self._db)
        _ensure_public_app(objects)
        blobs = BlobStore(self.data_dir / "blobs")
        self._dice = FaultDice(self.faults.seed)
        self._processor = InputProcessor(
            objects,
            blobs,
            workers=self.processing_workers,
            allow_url_fetch=self.allow_url_fetch,
            faults=self.faults,
            dice=self._dice,
        )
        return ServerState(
            objects=objects,
            blobs=blobs,
            processor=self._processor,
            models=self.models,
            allow_url_fetch=self.allow_url_fetch,
        )

    def _build_server(self, state: ServerState) -> grpc.Server:
        server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="localapi"),
            interceptors=self._interceptors(self._dice),
            options=[
                ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
                ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ],
        )
        servicer = LocalServicer(state)
        service_pb2_grpc.add_V2Servicer_to_server(servicer, server)
        server.add_generic_rpc_handlers((module_rpc_handler(servicer),))
        return server

    def _interceptors(self, dice: FaultDice) -> list[grpc.ServerInterceptor]:
        interceptors: list[grpc.ServerInterceptor] = []
        if self.faults.active:
            logger.warning("fault injection is on: %r", self.faults)
            interceptors.append(FaultInterceptor(self.faults, dice))
        if not self.allow_no_auth:
            interceptors.append(AuthInterceptor(self.pats))
        return interceptors

    def stop(self, grace: float = 1.0) -> None:
        """Stop serving (finishing calls for up to ``grace`` seconds), then close the store."""
        if self._server is not None:
            self._server.stop(grace).wait()
            self._server = None
        if self._processor is not None:
            self._processor.stop()
            self._processor = None
        if self._db is not None:
            self._db.close()
            self._db = None
        logger.info("local API on port %s stopped", self._port)

    def wait(self) -> None:
        """Block until the server stops."""
        if self._server is not None:
            self._server.wait_for_termination()

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def _ensure_public_app(objects: ObjectStore) -> None:
    """Create the app ``clarifai/main`` that publishes the local models."""
    app = resources_pb2.App(id=PUBLIC_APP_ID, user_id=PUBLIC_USER_ID, name="Clarifai main")
    app.created_at.GetCurrentTime()
    with objects.db.write() as connection:
        objects.insert(connection, "app", Scope(PUBLIC_USER_ID), PUBLIC_APP_ID, app)
