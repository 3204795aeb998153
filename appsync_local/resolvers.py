"""Field resolution: auth checks on every field, then Direct Lambda / NONE echo / default.

One ``FieldResolver`` serves the whole schema (graphql-core's ``field_resolver``), so
the authorization rule is applied to root fields *and* to every field of the returned
types, as AppSync does (reference 3.3).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLResolveInfo

from .api_model import ApiModel, ResolverSpec
from .auth import RequestAuth
from .auth.rules import AuthRules
from .batching import BatchLoader
from .errors import ResolverError, unauthorized
from .js import JsError, JsRuntime
from .js_resolver import JsUnitResolver
from .lambda_event import EventFactory
from .lambda_pool import LambdaInvokeError, LambdaPool

logger = logging.getLogger(__name__)


@dataclass
class RequestContext:
    """Per-request state handed to graphql-core as ``context_value``."""

    auth: RequestAuth
    events: EventFactory
    loaders: dict[tuple[str, str], BatchLoader] = field(default_factory=dict)
    # util.appendError from APPSYNC_JS handlers: (path, locations, error); reported
    # next to the field's value instead of nulling it.
    appended: list[tuple[list[Any], list[Any], JsError]] = field(default_factory=list)


@dataclass(frozen=True)
class _Target:
    kind: str  # "lambda" | "none" | "unsupported"
    spec: ResolverSpec
    function_id: str | None = None
    detail: str = ""


class FieldResolver:
    def __init__(self, model: ApiModel, rules: AuthRules, pool: LambdaPool,
                 root_types: frozenset[str]) -> None:
        self._rules = rules
        self._pool = pool
        self._roots = root_types
        self._subscription_type: str | None = None
        self._targets: dict[tuple[str, str], _Target] = {}
        for key, spec in model.resolvers.items():
            self._targets[key] = self._target(model, spec)
        # One Node worker for every APPSYNC_JS resolver, started only if the API has any.
        self._js = JsRuntime() if any(s.code for s in model.resolvers.values()) else None
        self._js_units = JsUnitResolver(self._js) if self._js is not None else None

    async def close(self) -> None:
        if self._js is not None:
            await self._js.close()

    @staticmethod
    def _target(model: ApiModel, spec: ResolverSpec) -> _Target:
        ds = model.data_sources.get(spec.data_source or "")
        if spec.kind != "UNIT":
            return _Target("unsupported", spec, detail=f"{spec.kind} resolvers")
        if ds is None:
            return _Target("unsupported", spec, detail=f"data source {spec.data_source!r}")
        if ds.type == "NONE":
            return _Target("none", spec)
        if ds.type == "AWS_LAMBDA" and ds.function_id and ds.function_id in model.functions:
            return _Target("lambda", spec, ds.function_id)
        return _Target("unsupported", spec, detail=f"{ds.type} data source {ds.name!r}")

    def has_resolver(self, type_name: str, field_name: str) -> bool:
        return (type_name, field_name) in self._targets

    def __call__(self, source: Any, info: GraphQLResolveInfo[Any], **args: Any) -> Any:
        ctx: RequestContext = info.context
        parent = info.parent_type.name
        name = info.field_name
        if not self._rules.allows(parent, name, ctx.auth):
            raise unauthorized(name, parent)
        target = self._targets.get((parent, name))
        if target is None:
            if isinstance(source, Mapping):
                return source.get(name)
            return getattr(source, name, None)
        return self.run(target, source, info, args, ctx)

    async def run(self, target: _Target, source: Any, info: GraphQLResolveInfo[Any],
                  args: dict[str, Any], ctx: RequestContext) -> Any:
        if target.kind == "unsupported":
            raise ResolverError(f"{target.detail} cannot be executed by the local runtime",
                                "UnsupportedOperation")
        event = ctx.events.build(info, args, source, is_root=info.parent_type.name in self._roots)
        locs = [n.loc.source.get_location(n.loc.start) for n in info.field_nodes
                if n.loc is not None and n.loc.source is not None]
        return await self.resolve_event(target, event, ctx, path=info.path.as_list(), locs=locs)

    async def resolve_event(self, target: _Target, event: dict[str, Any], ctx: RequestContext,
                            *, path: list[Any] | None = None, locs: list[Any] | None = None) -> Any:
        """Resolve one field from its AppSync context (the Direct Lambda event shape)."""
        if target.spec.code is not None and self._js_units is not None:
            appended: list[JsError] = []
            call = None if target.kind == "none" else (
                lambda payload: self._invoke_raw(target, payload, ctx))
            try:
                return await self._js_units.resolve(
                    target.spec.code, event, call, auth_type=ctx.auth.mode.value,
                    appended=appended)
            finally:
                ctx.appended.extend((path or [], locs or [], e) for e in appended)
        if target.kind == "none":
            # Documented echo pattern (reference 4.5) when no APPSYNC_JS code is given.
            return dict(event.get("arguments") or {})
        return await self.invoke(target, event, ctx)

    async def _invoke_raw(self, target: _Target, event: Any, ctx: RequestContext) -> Any:
        """Invoke the Lambda (batched when MaxBatchSize > 0); LambdaInvokeError propagates."""
        assert target.function_id is not None
        if target.spec.max_batch_size > 0:
            key = (target.spec.type_name, target.spec.field_name)
            loader = ctx.loaders.get(key)
            if loader is None:
                loader = ctx.loaders[key] = BatchLoader(
                    self._pool.invoke, target.function_id, target.spec.max_batch_size)
            return await loader.load(event)
        return await self._pool.invoke(target.function_id, event)

    async def invoke(self, target: _Target, event: dict[str, Any], ctx: RequestContext) -> Any:
        assert target.function_id is not None
        try:
            return await self._invoke_raw(target, event, ctx)
        except LambdaInvokeError as exc:
            # Direct Lambda: `$util.error($ctx.error.message, $ctx.error.type)` (ref. 5.2/5.3).
            raise ResolverError(exc.message, exc.error_type) from None
        except ResolverError:
            raise
        except Exception as exc:
            logger.exception("resolver %s.%s failed", target.spec.type_name,
                             target.spec.field_name)
            raise ResolverError(f"Internal error: {exc}", "InternalFailure") from None

    def target(self, type_name: str, field_name: str) -> _Target | None:
        return self._targets.get((type_name, field_name))
