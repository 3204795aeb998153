"""A quiet moto server on 127.0.0.1 (used by local Cognito and the in-memory store fallback).

All moto servers of one process share moto's in-memory backends; each gets its own port
so every AWS service keeps its own endpoint, as on AWS.
"""

from __future__ import annotations

import logging

from moto.server import ThreadedMotoServer


class MotoServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        # Werkzeug logs one line per request at INFO: far too chatty next to the runtime's log.
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = ThreadedMotoServer(ip_address=host, port=port, verbose=False)
        self._endpoint: str | None = None

    def start(self) -> str:
        self._server.start()
        host, port = self._server.get_host_and_port()
        self._endpoint = f"http://{host}:{port}"
        return self._endpoint

    @property
    def endpoint(self) -> str:
        if self._endpoint is None:
            raise RuntimeError("moto server not started")
        return self._endpoint

    def stop(self) -> None:
        if self._endpoint is not None:
            self._server.stop()
            self._endpoint = None
