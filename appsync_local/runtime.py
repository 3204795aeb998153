"""Wiring and lifecycle of `python -m appsync_local run`.

Start order (each step needs the previous ones):
  state dir lock + secrets -> HTTP socket bound (the port goes into function env and
  URLs) -> store (DynamoDB Local, else the loud in-memory fallback) -> local Cognito
  provisioned from the template + seed users -> template loaded with the real ids ->
  tables -> Lambda pool, engine, authenticator, subscription hub -> stream pollers
  positioned (before any write of ours, so StartingPosition LATEST still sees the seed's
  records) -> HTTP server -> seed operations -> runtime.json (READY).
Stop runs the other way; runtime.json disappears first, since the runtime is no longer
ready. DynamoDB Local is started from the main thread on purpose: its launcher asks the
kernel to end Java when that thread dies, so even a SIGKILL leaves no Java behind.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import ssl
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import boto3

from ._http_server import bind_socket, build_app, build_server, finish_tasks, until_started
from ._runtime_info import Endpoints, banner, runtime_json, web_config
from ._stream_records import keep_wire_form
from .api_model import ApiModel
from .auth import ApiKey, AuthConfig, Authenticator, IamPrincipal
from .cognito_local import CognitoInfo, CognitoLocal, LocalUserPool, initiate_password_auth
from .engine import Engine
from .http_app import http_routes
from .lambda_pool import LambdaPool
from .realtime import SubscriptionHub
from .seed import SeedAuth, SeedFile, SeedRunner, load_seed, seed_users_table
from .state import LocalSecrets, StateDir, write_json_atomic
from .store import Store, StoreInfo, start_store
from .streams import StreamPollers
from .tables import TableDefinition, ensure_tables
from .template import load_template
from .tls import ensure_localhost_certificate

logger = logging.getLogger(__name__)

USERS_SAVE_INTERVAL_S = 2.0  # sign-ups and password changes reach users.json this fast
SHUTDOWN_GRACE_S = 10.0


class Terminated(SystemExit):
    """SIGTERM during the synchronous start phase: unwind through the `finally` blocks."""


@dataclass(frozen=True)
class RuntimeOptions:
    template: Path
    state_dir: Path
    dynamodb_local_dir: Path
    env_vars: Path | None = None
    seed: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8000  # 0: any free port (tests); runtime.json says which
    tls: bool = False
    static_dir: Path | None = None
    in_memory: bool = False
    region: str = "us-east-1"
    stack_name: str | None = None
    parameter_overrides: Mapping[str, str] = field(default_factory=dict)
    workers_per_function: int = 2


def run(options: RuntimeOptions) -> None:
    """Start everything, serve until SIGINT/SIGTERM, then stop everything."""
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    runtime = Runtime(options)
    try:
        runtime.start_services()
        asyncio.run(runtime.serve())
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM must not cut cleanup
        runtime.stop_services()
        signal.signal(signal.SIGTERM, previous)


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(128 + signum)


class Runtime:
    def __init__(self, options: RuntimeOptions) -> None:
        self.options = options
        self.state = StateDir(options.state_dir)
        self._sock: socket.socket | None = None
        self._store: Store | None = None
        self._store_info: StoreInfo | None = None
        self._cognito: CognitoLocal | None = None
        self._seed: SeedFile | None = None
        self._tls_cert: Path | None = None
        self._tls_key: Path | None = None
        self.secrets: LocalSecrets | None = None
        self.model: ApiModel | None = None
        self._stop = asyncio.Event()
        self._signals = 0

    # -- synchronous phase (main thread) -------------------------------------------

    def start_services(self) -> None:
        opts = self.options
        if opts.static_dir is not None and not opts.static_dir.is_dir():
            raise FileNotFoundError(f"--static {opts.static_dir}: not a directory")
        if opts.host not in ("127.0.0.1", "localhost", "::1"):
            logger.warning("listening on %s: the API and its development credentials are "
                           "reachable from the network", opts.host)
        self.state.acquire()
        self.state.remove_runtime_json()  # left over by a crashed run: not ready yet
        self.secrets = self.state.load_or_create_secrets()
        self._seed = load_seed(opts.seed) if opts.seed is not None else None
        if opts.tls:
            files = ensure_localhost_certificate(self.state.root)
            self._tls_cert, self._tls_key = files.cert_path, files.key_path
        self._sock = bind_socket(opts.host, opts.port)
        self._store, self._store_info = start_store(
            opts.dynamodb_local_dir, self.state.dynamodb_dir, in_memory=opts.in_memory)
        draft = self._load(physical_ids={}, attributes={}, extra_env={})
        cognito_info = self._start_cognito(draft)
        self.model = self._load(
            physical_ids=cognito_info.physical_ids() if cognito_info else {},
            attributes={f"{k.logical_id}.ApiKey": self.secrets.api_key for k in draft.api_keys},
            extra_env=self._function_env(cognito_info),
        )
        for note in ensure_tables(self._dynamodb(), [
            TableDefinition(t.logical_id, t.table_name, t.properties)
            for t in self.model.tables.values()
        ]):
            logger.info("store: %s", note)

    def _load(self, *, physical_ids: Mapping[str, str], attributes: Mapping[str, Any],
              extra_env: Mapping[str, str]) -> ApiModel:
        opts = self.options
        env_vars = opts.env_vars
        if env_vars is not None and not env_vars.exists():
            logger.warning("--env-vars %s does not exist; using the template's values", env_vars)
            env_vars = None
        return load_template(
            opts.template, opts.parameter_overrides, env_vars, region=opts.region,
            stack_name=opts.stack_name, physical_ids=physical_ids, attributes=attributes,
            graphql_url=self.graphql_url, realtime_url=self.realtime_url, extra_env=extra_env,
        )

    def _start_cognito(self, model: ApiModel) -> CognitoInfo | None:
        if not model.user_pools:
            return None
        self._cognito = CognitoLocal(self.state.cognito_dir, self.options.region)
        self._cognito.start()
        info = self._cognito.provision(model.user_pools.values(),
                                       model.user_pool_clients.values(),
                                       model.user_pool_groups.values())
        if self._seed is not None and self._seed.users:
            logical = self._seed.user_pool or next(iter(info.pools))
            created = self._cognito.ensure_users(logical, self._seed.users)
            if created:
                logger.info("cognito: created seed users %s", ", ".join(created))
        return info

    def _function_env(self, cognito: CognitoInfo | None) -> dict[str, str]:
        """What functions need so unchanged handler code talks to the local services."""
        assert self._store_info is not None and self.secrets is not None
        env = {
            # botocore honours service-specific endpoint variables (no code change).
            "AWS_ENDPOINT_URL_DYNAMODB": self._store_info.endpoint,
            "AWS_ENDPOINT_URL_DYNAMODBSTREAMS": self._store_info.endpoint,
            # The local IAM principal: SigV4 calls to this API (IAM mode) verify.
            "AWS_ACCESS_KEY_ID": self.secrets.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secrets.secret_access_key,
        }
        if cognito is not None:
            env["AWS_ENDPOINT_URL_COGNITO_IDP"] = cognito.endpoint
        if self._tls_cert is not None:
            # Functions calling the API over https must trust the self-signed certificate.
            env["SSL_CERT_FILE"] = str(self._tls_cert)
        return env

    def _dynamodb(self) -> Any:
        assert self._store_info is not None and self.secrets is not None
        return boto3.client(
            "dynamodb", endpoint_url=self._store_info.endpoint, region_name=self.options.region,
            aws_access_key_id=self.secrets.access_key_id,
            aws_secret_access_key=self.secrets.secret_access_key)

    def _streams(self) -> Any:
        assert self._store_info is not None and self.secrets is not None
        client = boto3.client(
            "dynamodbstreams", endpoint_url=self._store_info.endpoint,
            region_name=self.options.region, aws_access_key_id=self.secrets.access_key_id,
            aws_secret_access_key=self.secrets.secret_access_key)
        keep_wire_form(client)  # records go to Lambda as the store sent them
        return client

    def stop_services(self) -> None:
        """Stop what start_services started (safe after a partial start)."""
        for name, stop in (("cognito", self._cognito and self._cognito.stop),
                           ("store", self._store and self._store.stop)):
            if stop:
                try:
                    stop()
                except Exception:
                    logger.exception("stopping %s failed", name)
        self._cognito = self._store = None
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        self.state.remove_runtime_json()
        self.state.release()

    # -- URLs ----------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._sock is not None
        return int(self._sock.getsockname()[1])

    @property
    def _public_host(self) -> str:
        host = self.options.host
        return "127.0.0.1" if host in ("0.0.0.0", "", "::") else host  # noqa: S104

    @property
    def graphql_url(self) -> str:
        scheme = "https" if self.options.tls else "http"
        return f"{scheme}://{self._public_host}:{self.port}/graphql"

    @property
    def realtime_url(self) -> str:
        scheme = "wss" if self.options.tls else "ws"
        return f"{scheme}://{self._public_host}:{self.port}/graphql"

    # -- asynchronous phase ----------------------------------------------------------

    async def serve(self) -> None:
        assert self.model is not None and self.secrets is not None
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal)
        pool = LambdaPool(self.model.functions,
                          workers_per_function=self.options.workers_per_function)
        engine = Engine(self.model, pool)
        authenticator = Authenticator(self._auth_config())
        hub = SubscriptionHub(engine, authenticator)
        pollers = StreamPollers.from_specs(
            self.model.stream_events, dynamodb=self._dynamodb(), streams=self._streams(),
            invoker=pool, checkpoint_dir=self.state.streams_dir)
        app = build_app(http_routes(engine, authenticator), hub.routes(),
                        self.options.static_dir, web_config(self._endpoints(), self.secrets))
        server = build_server(app, self._tls_cert, self._tls_key)
        assert self._sock is not None
        sock = self._sock
        serving: asyncio.Task[Any] | None = None
        saving: asyncio.Task[Any] | None = None
        try:
            await pollers.start()
            serving = asyncio.create_task(server.serve(sockets=[sock]), name="http")
            await until_started(server, serving)
            await self._seed_operations()
            saving = asyncio.create_task(self._save_users_periodically(), name="users")
            self._announce()
            stop = asyncio.create_task(self._stop.wait())
            await asyncio.wait([stop, serving], return_when=asyncio.FIRST_COMPLETED)
            stop.cancel()
        finally:
            self.state.remove_runtime_json()
            logger.info("shutting down")
            if saving is not None:
                saving.cancel()
            # Pollers first: an in-flight batch may still call the API (publish mutations).
            await pollers.stop(SHUTDOWN_GRACE_S)
            server.should_exit = True
            await hub.close()  # open WebSockets would hold uvicorn's graceful shutdown
            await finish_tasks([t for t in (serving, saving) if t is not None], SHUTDOWN_GRACE_S)
            await pool.close()
            await engine.close()  # the APPSYNC_JS worker: its pipes close inside the loop
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    def _on_signal(self) -> None:
        self._signals += 1
        if self._signals > 1:
            logger.warning("second interrupt: not waiting for in-flight work")
            raise KeyboardInterrupt
        self._stop.set()

    def _auth_config(self) -> AuthConfig:
        assert self.model is not None and self.secrets is not None
        cognito = self._cognito.info if self._cognito is not None else None
        return AuthConfig.from_model(
            self.model,
            api_keys=[ApiKey(self.secrets.api_key)],
            cognito_jwks_url=(f"{cognito.endpoint}/{{pool_id}}/.well-known/jwks.json"
                              if cognito else None),
            iam_principals=[IamPrincipal(self.secrets.access_key_id,
                                         self.secrets.secret_access_key)],
        )

    async def _seed_operations(self) -> None:
        if self._seed is None or not self._seed.operations:
            return
        assert self.secrets is not None
        runner = SeedRunner(self._seed, self._seed_record(), self.graphql_url,
                            self._seed_auth(), ssl_context=self._client_ssl())
        report = await runner.run()
        if report.failed:
            logger.error("seed: %d operation(s) failed and will be retried at the next start: "
                         "%s", len(report.failed), ", ".join(report.failed))

    def _seed_record(self) -> Path:
        """Where applied operations are recorded: only as durable as the store's data."""
        assert self._store_info is not None
        if self._store_info.persistent:
            return self.state.seed_json
        record = self.state.root / "seed.in-memory.json"
        record.unlink(missing_ok=True)  # the data those operations wrote is gone
        return record

    def _seed_auth(self) -> SeedAuth:
        assert self.secrets is not None
        pool = self._api_user_pool()

        def id_token_for(username: str, password: str) -> str:
            if pool is None or self._cognito is None:
                raise RuntimeError("the template has no Cognito user pool")
            client_id = pool.default_client_id
            if client_id is None:
                raise RuntimeError(f"user pool {pool.logical_id} has no app client")
            tokens = initiate_password_auth(
                self._cognito.info.endpoint, self.options.region, client_id, username,
                password, pool.client_secrets.get(client_id))
            return str(tokens["IdToken"])

        return SeedAuth(self.options.region, self.secrets.api_key, self.secrets.access_key_id,
                        self.secrets.secret_access_key, id_token_for)

    def _client_ssl(self) -> ssl.SSLContext | None:
        if self._tls_cert is None:
            return None
        return ssl.create_default_context(cafile=str(self._tls_cert))

    def _api_user_pool(self) -> LocalUserPool | None:
        """The pool of the API's Cognito auth provider (default first), else the first pool."""
        if self._cognito is None or self.model is None:
            return None
        pools = self._cognito.info.pools
        for provider in self.model.auth_providers:
            if provider.user_pool is not None:
                for pool in pools.values():
                    if pool.pool_id == provider.user_pool.user_pool_id:
                        return pool
        return next(iter(pools.values()), None)

    async def _save_users_periodically(self) -> None:
        while self._cognito is not None:
            await asyncio.sleep(USERS_SAVE_INTERVAL_S)
            try:
                await asyncio.to_thread(self._cognito.save_users)
            except Exception:
                logger.exception("cognito: saving users failed")

    def _endpoints(self) -> Endpoints:
        assert self._store_info is not None
        return Endpoints(
            graphql_url=self.graphql_url, realtime_url=self.realtime_url,
            region=self.options.region, store=self._store_info,
            cognito=self._cognito.info if self._cognito else None,
            user_pool=self._api_user_pool(),
            tls_cert=str(self._tls_cert) if self._tls_cert else None,
        )

    def _announce(self) -> None:
        assert self.secrets is not None
        users = seed_users_table(self._seed) if self._seed else []
        endpoints = self._endpoints()
        write_json_atomic(self.state.runtime_json, runtime_json(endpoints, self.secrets, users),
                          mode=0o600)
        print(banner(endpoints, self.secrets, users, str(self.state.runtime_json),
                     str(self.options.state_dir), web_ui=self.options.static_dir is not None),
              file=sys.stderr, flush=True)
