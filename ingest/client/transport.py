"""gRPC channels and stubs for the Clarifai API, with the PAT sent as call metadata.

``base_url`` follows the official SDK's ``CLARIFAI_API_BASE``: ``https://host[:port]`` opens
a TLS channel (port 443 by default), ``http://host:port`` an insecure one (the local API),
and a bare host name means https.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import grpc
from clarifai_grpc.grpc.api import service_pb2_grpc

from ingest.errors import ApiClientError

# Clarifai accepts requests of up to 128 MB; leave room for the envelope.
MAX_MESSAGE_BYTES = 130 * 1024 * 1024
CHANNEL_OPTIONS = [
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
]


@dataclass(frozen=True)
class Endpoint:
    """The API address: ``target`` is ``host:port`` and ``secure`` selects TLS."""

    target: str
    secure: bool

    @classmethod
    def parse(cls, base_url: str) -> Endpoint:
        text = base_url.strip()
        if "://" not in text:
            text = "https://" + text
        parsed = urlparse(text)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ApiClientError(
                f"invalid API base URL {base_url!r}; expected https://HOST[:PORT] "
                "or http://HOST:PORT"
            )
        secure = parsed.scheme == "https"
        port = parsed.port or (443 if secure else 80)
        host = parsed.hostname
        if ":" in host:  # an IPv6 literal
            host = f"[{host}]"
        return cls(target=f"{host}:{port}", secure=secure)


@dataclass
class Connection:
    """A channel, a V2 stub on it, and the call metadata carrying the PAT."""

    endpoint: Endpoint
    pat: str = field(repr=False)
    _channel: grpc.Channel | None = field(default=None, init=False, repr=False)
    _stub: service_pb2_grpc.V2Stub | None = field(default=None, init=False, repr=False)

    @classmethod
    def open(cls, base_url: str, pat: str) -> Connection:
        return cls(endpoint=Endpoint.parse(base_url), pat=pat)

    @property
    def metadata(self) -> tuple[tuple[str, str], ...]:
        # An empty PAT sends no key, for a local API started without authentication.
        if not self.pat:
            return ()
        return (("authorization", f"Key {self.pat}"),)

    @property
    def channel(self) -> grpc.Channel:
        if self._channel is None:
            if self.endpoint.secure:
                credentials = grpc.ssl_channel_credentials()
                self._channel = grpc.secure_channel(
                    self.endpoint.target, credentials, options=CHANNEL_OPTIONS
                )
            else:
                self._channel = grpc.insecure_channel(self.endpoint.target, options=CHANNEL_OPTIONS)
        return self._channel

    @property
    def stub(self) -> service_pb2_grpc.V2Stub:
        if self._stub is None:
            _set_grpc_deserializers()
            self._stub = service_pb2_grpc.V2Stub(self.channel)
        return self._stub

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
        self._channel = None
        self._stub = None


def _from_string(message_cls: Any) -> Any:
    return message_cls.FromString


def _set_grpc_deserializers() -> None:
    """Make ``V2Stub`` decode binary protobuf responses.

    clarifai-grpc's ``V2Stub`` reads its response decoder from the module global
    ``clarifai_channel.wrap_response_deserializer``, which only ``ClarifaiChannel`` factories
    set; it is None until then, and the stub's constructor fails. A value set by
    ``ClarifaiChannel`` is left as it is.
    """
    from clarifai_grpc.channel import clarifai_channel

    if clarifai_channel.wrap_response_deserializer is None:
        clarifai_channel.wrap_response_deserializer = _from_string
