"""The GraphQL engine: executes HTTP operations and prepares subscriptions AppSync's way.

Collaborators: ``documents`` (parse/validate cache), ``resolvers`` (auth + Direct
Lambda / NONE), ``errors`` (AppSync error shapes), ``projection`` (mutation payloads
for ``@aws_subscribe``), ``subscriptions`` (start-time preparation and rendering).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    execute,
)
from graphql.language import FragmentDefinitionNode

from .api_model import ApiModel
from .auth import RequestAuth
from .auth.rules import AuthRules
from .documents import DocumentCache
from .errors import (
    GraphQLRequestError,
    ResolverError,
    appended_error,
    format_execution_error,
    request_error,
)
from .lambda_event import EventFactory
from .lambda_pool import LambdaPool
from .projection import project
from .resolvers import FieldResolver, RequestContext
from .schema import build_appsync_schema, published_mutations, root_type_names
from .schema import subscription_mutations as _subscription_mutations
from .subscriptions import (
    PreparedSubscription,
    Renderer,
    select_operation,
    subscription_parts,
    unauthorized_start,
)
from .validation_messages import variable_message

__all__ = ["Engine", "GraphQLRequestError", "PreparedSubscription"]

logger = logging.getLogger(__name__)
MutationListener = Callable[[str, dict[str, Any]], Awaitable[None] | None]
REQUEST_TIMEOUT_S = 30.0  # AppSync's limit for a whole GraphQL request (reference 2)


class Engine:
    """Execute AppSync operations for ``model`` with resolvers run by ``lambda_pool``."""

    def __init__(self, model: ApiModel, lambda_pool: LambdaPool, *,
                 document_cache_size: int = 1000,
                 request_timeout_s: float = REQUEST_TIMEOUT_S) -> None:
        self.model = model
        self.schema: GraphQLSchema = build_appsync_schema(
            model.schema_sdl, source_name=str(model.schema_path or "schema"))
        self.rules = AuthRules(self.schema, model.default_auth_mode)
        self._roots = root_type_names(self.schema)
        self._resolver = FieldResolver(model, self.rules, lambda_pool, self._roots)
        self._documents = DocumentCache(self.schema, document_cache_size)
        self._published = published_mutations(self.schema)
        self._sub_mutations = _subscription_mutations(self.schema)
        self._renderer = Renderer(self.schema, self.rules)
        self._listeners: list[MutationListener] = []
        self._timeout = request_timeout_s
        self._check_resolvers()

    def _check_resolvers(self) -> None:
        for type_name, field_name in self.model.resolvers:
            t = self.schema.get_type(type_name)
            if t is None or field_name not in getattr(t, "fields", {}):
                logger.warning("resolver for %s.%s: no such field in the schema",
                               type_name, field_name)

    async def close(self) -> None:
        """Stop helpers the engine started (the APPSYNC_JS worker)."""
        await self._resolver.close()

    def add_mutation_listener(self, cb: MutationListener) -> None:
        """Call ``cb(mutation_field, payload)`` after each published mutation succeeds.

        Listeners are awaited before the HTTP response is returned: keep them fast.
        """
        self._listeners.append(cb)

    # -- HTTP ---------------------------------------------------------------------
    async def execute_http(self, body: dict[str, Any], auth: RequestAuth,
                           headers: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        """Run one GraphQL request body; return (HTTP status, AppSync response body)."""
        try:
            return await self._execute_http(body, auth, headers)
        except GraphQLRequestError as exc:
            return 200, {"data": None, "errors": exc.errors}
        except Exception:
            logger.exception("unexpected failure executing a GraphQL request")
            return 500, {"data": None, "errors": [{
                "errorType": "InternalFailure", "message": "An internal failure occurred "
                "in the local AppSync runtime (see its log)."}]}

    async def _execute_http(self, body: dict[str, Any], auth: RequestAuth,
                            headers: Mapping[str, str]) -> tuple[int, dict[str, Any]]:
        query, variables, op_name = _request_parts(body)
        parsed = self._documents.get(query)
        if parsed.errors:
            return 200, {"data": None, "errors": parsed.errors}
        assert parsed.document is not None
        doc = parsed.document
        op = select_operation(doc, op_name)
        if op.operation is OperationType.SUBSCRIPTION:
            # Subscriptions only run over the real-time WebSocket (reference section 2).
            raise GraphQLRequestError([request_error(
                "Subscription operations are not supported over HTTP; use the real-time "
                "endpoint", error_type="UnsupportedOperation")])
        ctx = RequestContext(auth, EventFactory(
            identity=auth.identity, headers={k.lower(): v for k, v in headers.items()},
            variables=variables))
        result = await self._run(doc, op_name, variables, ctx)
        if result.data is None and result.errors and all(e.path is None for e in result.errors):
            # Variable coercion failed: the operation never executed.
            return 200, {"data": None, "errors": [
                request_error(variable_message(e), e.locations) for e in result.errors]}
        response: dict[str, Any] = {"data": result.data}
        errors = [format_execution_error(e, self.schema.type_map) for e in result.errors or ()]
        errors.extend(appended_error(path, locs, err) for path, locs, err in ctx.appended)
        if errors:
            response["errors"] = errors
        if op.operation is OperationType.MUTATION and self._listeners and result.data:
            await self._publish(op, doc, result)
        return 200, response

    async def _run(self, doc: DocumentNode, op_name: str | None, variables: dict[str, Any],
                   ctx: RequestContext) -> ExecutionResult:
        result = execute(self.schema, doc, context_value=ctx, variable_values=variables,
                         operation_name=op_name, field_resolver=self._resolver)
        if not inspect.isawaitable(result):
            return result
        try:
            return await asyncio.wait_for(result, self._timeout)
        except TimeoutError:
            raise GraphQLRequestError([request_error(
                "Execution timed out.", error_type="ExecutionTimeout")]) from None

    async def _publish(self, op: OperationDefinitionNode, doc: DocumentNode,
                       result: ExecutionResult) -> None:
        fragments = {d.name.value: d for d in doc.definitions
                     if isinstance(d, FragmentDefinitionNode)}
        failed = {e.path[0] for e in result.errors or () if e.path}
        for node in op.selection_set.selections:
            if not isinstance(node, FieldNode) or node.name.value not in self._published:
                continue
            key = node.alias.value if node.alias else node.name.value
            value = (result.data or {}).get(key)
            if value is None or key in failed:
                continue  # AppSync publishes only successful, non-null results
            payload = project(value, node.selection_set, fragments)
            await self._notify(node.name.value, payload)

    async def _notify(self, mutation: str, payload: dict[str, Any]) -> None:
        for cb in list(self._listeners):
            try:
                out = cb(mutation, payload)
                if inspect.isawaitable(out):
                    await out
            except Exception:
                logger.exception("mutation listener failed for %s", mutation)

    # -- subscriptions ------------------------------------------------------------
    async def prepare_subscription(self, data: dict[str, Any], auth: RequestAuth,
                                   headers: Mapping[str, str]) -> PreparedSubscription:
        """Validate a real-time ``start`` and run the subscription field's resolver.

        Raises
        ------
        GraphQLRequestError
            Invalid document or variables, not a subscription (``UnsupportedOperation``),
            field not allowed for the mode (``Unauthorized``), or the resolver failed.
        """
        query, variables, op_name = _request_parts(data)
        parsed = self._documents.get(query)
        if parsed.errors:
            raise GraphQLRequestError(parsed.errors)
        assert parsed.document is not None
        op = select_operation(parsed.document, op_name)
        node, args, fragments = subscription_parts(self.schema, parsed.document, op, variables)
        sub_type = self.schema.subscription_type
        assert sub_type is not None
        name = node.name.value
        if not self.rules.allows(sub_type.name, name, auth):
            raise unauthorized_start(node, sub_type.name)
        target = self._resolver.target(sub_type.name, name)
        if target is not None and (target.kind == "lambda" or target.spec.code is not None):
            events = EventFactory(identity=auth.identity,
                                  headers={k.lower(): v for k, v in headers.items()},
                                  variables=variables)
            event = events.build_for(name, sub_type.name, [node], fragments, args, None,
                                     is_root=True)
            try:
                # The resolver may reject the subscription; its result is ignored (AppSync
                # expects null from subscription resolvers, reference 4.2).
                await self._resolver.resolve_event(target, event, RequestContext(auth, events),
                                                   path=[name])
            except ResolverError as exc:
                raise GraphQLRequestError([{
                    "path": [name], "data": exc.data, "errorType": exc.error_type,
                    "errorInfo": exc.error_info, "locations": None, "message": exc.message,
                }]) from None
        return PreparedSubscription(
            field_name=name, arguments=args, mutations=self._sub_mutations.get(name, ()),
            document=parsed.document, variables=variables, operation_name=op_name,
            auth=auth, _renderer=self._renderer)


def _request_parts(body: Mapping[str, Any]) -> tuple[str, dict[str, Any], str | None]:
    query = body.get("query") if isinstance(body, Mapping) else None
    if not isinstance(query, str) or not query.strip():
        raise GraphQLRequestError([request_error("Query is null or empty",
                                                 error_type="MalformedHttpRequestException")])
    variables = body.get("variables") or {}
    if not isinstance(variables, dict):
        raise GraphQLRequestError([request_error("Variables must be a JSON object",
                                                 error_type="MalformedHttpRequestException")])
    op_name = body.get("operationName") or None
    if op_name is not None and not isinstance(op_name, str):
        raise GraphQLRequestError([request_error("operationName must be a string",
                                                 error_type="MalformedHttpRequestException")])
    return query, variables, op_name
