"""Fault injection for reliability tests: failing RPCs, throttling, latency, failed inputs.

Everything is off by default. The interceptor hits RPCs only; ``processing_failure_rate`` is
read by the input processor, which fails that share of inputs with INPUT_DOWNLOAD_FAILED.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import grpc
from clarifai_grpc.grpc.api.status import status_code_pb2

from ingest.localapi.responses import error_response, method_name

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FaultConfig:
    """Rates are probabilities in 0..1 per RPC (or per input); latency is in seconds."""

    unavailable_rate: float = 0.0
    throttle_rate: float = 0.0
    latency_seconds: float = 0.0
    processing_failure_rate: float = 0.0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("unavailable_rate", "throttle_rate", "processing_failure_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"FaultConfig.{name} is {value!r}; expected a rate in 0..1")
        if self.latency_seconds < 0:
            raise ValueError(
                f"FaultConfig.latency_seconds is {self.latency_seconds!r}; expected >= 0"
            )

    @property
    def active(self) -> bool:
        return bool(
            self.unavailable_rate
            or self.throttle_rate
            or self.latency_seconds
            or self.processing_failure_rate
        )


class FaultDice:
    """A thread-safe random source, seeded when the config sets a seed, for repeatable runs."""

    def __init__(self, seed: int | None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def roll(self, rate: float) -> bool:
        """Return True with probability ``rate``."""
        if rate <= 0:
            return False
        with self._lock:
            return self._random.random() < rate


class FaultInterceptor(grpc.ServerInterceptor):
    """Delay every unary RPC, then fail it with UNAVAILABLE or CONN_THROTTLED at set rates."""

    def __init__(self, config: FaultConfig, dice: FaultDice) -> None:
        self.config = config
        self.dice = dice

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = method_name(handler_call_details.method)
        inner = handler.unary_unary

        def faulty(request: Any, context: grpc.ServicerContext) -> Any:
            if self.config.latency_seconds:
                time.sleep(self.config.latency_seconds)
            if self.dice.roll(self.config.unavailable_rate):
                logger.debug("injected UNAVAILABLE on %s", method)
                context.abort(grpc.StatusCode.UNAVAILABLE, "injected fault: server unavailable")
            if self.dice.roll(self.config.throttle_rate):
                logger.debug("injected CONN_THROTTLED on %s", method)
                return error_response(
                    method,
                    status_code_pb2.CONN_THROTTLED,
                    "Making too many requests",
                    "injected fault: throttled",
                )
            return inner(request, context)

        return grpc.unary_unary_rpc_method_handler(
            faulty,
            request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer,
        )
