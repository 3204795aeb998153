"""Read a SAM template describing an AppSync API (raw ``AWS::AppSync::*`` resources).

``load_template`` is pure and cheap: ops may call it twice, first to learn which
tables / user pools to create, then again with their physical ids (``physical_ids``)
so that ``!Ref UserPool`` in function environments and auth config resolves to them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from ._template_functions import build_functions
from ._template_refs import ResourceRefs
from .api_model import (
    ApiKeySpec,
    ApiModel,
    AuthProviderSpec,
    DataSourceSpec,
    LambdaAuthorizerConfig,
    OpenIDConnectConfig,
    ResolverSpec,
    TableSpec,
    UserPoolClientSpec,
    UserPoolConfig,
    UserPoolGroupSpec,
    UserPoolSpec,
)
from .auth._types import AuthMode
from .intrinsics import CfnLoader, IntrinsicContext, TemplateError, resolve

__all__ = ["ApiModel", "TemplateError", "load_template"]

logger = logging.getLogger(__name__)
LOCAL_ACCOUNT_ID = "000000000000"
_EXECUTED_DS = ("AWS_LAMBDA", "NONE")


def load_template(
    path: str | Path,
    parameter_overrides: Mapping[str, Any] | None = None,
    env_vars_file: str | Path | None = None,
    *,
    region: str = "us-east-1",
    stack_name: str | None = None,
    account_id: str = LOCAL_ACCOUNT_ID,
    physical_ids: Mapping[str, str] | None = None,
    attributes: Mapping[str, Any] | None = None,
    graphql_url: str = "http://127.0.0.1:8000/graphql",
    realtime_url: str | None = None,
    extra_env: Mapping[str, str] | None = None,
    api_logical_id: str | None = None,
) -> ApiModel:
    """Load ``path`` into an :class:`ApiModel`.

    ``physical_ids`` maps logical ids to the values ``Ref`` returns (user pool and app
    client ids from moto, table names...); ``attributes`` maps ``"Logical.Attr"`` to
    ``Fn::GetAtt`` values. ``extra_env`` (e.g. ``AWS_ENDPOINT_URL_DYNAMODB``) is added to
    every function's environment last.

    Raises
    ------
    TemplateError
        Missing parameters, unsupported constructs, no GraphQL API, unreadable schema.
    """
    tpath = Path(path).resolve()
    doc = _read(tpath)
    resources: dict[str, Any] = dict(doc.get("Resources") or {})
    stack = stack_name or tpath.parent.name or "local"
    params = _parameters(doc.get("Parameters") or {}, parameter_overrides or {})
    refs = ResourceRefs(resources, stack_name=stack, region=region, account_id=account_id,
                        physical_ids=physical_ids or {}, attributes=attributes or {},
                        graphql_url=graphql_url,
                        realtime_url=realtime_url or _realtime_from(graphql_url),
                        function_globals=(doc.get("Globals") or {}).get("Function") or {})
    ctx = IntrinsicContext(region=region, account_id=account_id, stack_name=stack,
                           parameters=params, ref=refs.ref, get_att=refs.get_att,
                           conditions=doc.get("Conditions") or {},
                           mappings=doc.get("Mappings") or {})
    refs.ctx = ctx
    active = {k: v for k, v in resources.items()
              if not v.get("Condition") or ctx.condition(v["Condition"])}
    by_type: dict[str, list[str]] = {}
    for logical, res in active.items():
        by_type.setdefault(str(res.get("Type")), []).append(logical)
    warnings: list[str] = []

    def props(logical: str) -> dict[str, Any]:
        return resolve(active[logical].get("Properties") or {}, ctx)  # type: ignore[no-any-return]

    api_id_logical = _pick_api(by_type.get("AWS::AppSync::GraphQLApi", []), api_logical_id)
    api_props = props(api_id_logical)
    api_id = refs.api_id(api_id_logical)
    in_api = [lg for lg in active if _belongs(active[lg], api_id_logical, api_id, ctx)]

    functions = build_functions(
        {lg: active[lg] for lg in by_type.get("AWS::Serverless::Function", [])},
        globals_=(doc.get("Globals") or {}).get("Function") or {}, ctx=ctx, refs=refs,
        template_dir=tpath.parent, env_vars_file=env_vars_file, extra_env=extra_env or {},
        warnings=warnings)
    tables = {lg: _table(lg, props(lg), refs) for lg in by_type.get("AWS::DynamoDB::Table", [])}
    schema_sdl, schema_path = _schema(in_api, active, props, tpath.parent)
    data_sources = _data_sources(in_api, active, props, functions, warnings)
    pools, clients, groups = _cognito(by_type, active, props, refs)
    model = ApiModel(
        template_path=tpath, stack_name=stack, region=region, account_id=account_id,
        api_logical_id=api_id_logical, api_name=str(api_props.get("Name", api_id_logical)),
        api_id=api_id, auth_providers=_auth_providers(api_props, functions),
        schema_sdl=schema_sdl, schema_path=schema_path,
        api_keys=tuple(_api_key(lg, props(lg), refs) for lg in in_api
                       if active[lg]["Type"] == "AWS::AppSync::ApiKey"),
        data_sources=data_sources,
        resolvers=_resolvers(in_api, active, props, data_sources, warnings, tpath.parent),
        functions=functions, tables=tables, user_pools=pools, user_pool_clients=clients,
        user_pool_groups=groups, parameters=params,
        outputs=_outputs(doc.get("Outputs") or {}, ctx),
        warnings=tuple(warnings + refs.warnings),
    )
    for w in warnings:
        logger.warning("%s", w)
    return model


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TemplateError(f"cannot read template {path}: {exc}") from exc
    try:
        doc = json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, CfnLoader)  # noqa: S506 (SafeLoader subclass)
    except (ValueError, yaml.YAMLError) as exc:
        raise TemplateError(f"{path}: not valid YAML/JSON: {exc}") from exc
    if not isinstance(doc, dict):
        raise TemplateError(f"{path}: not a CloudFormation template")
    return doc


def _parameters(decl: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    unknown = set(overrides) - set(decl)
    if unknown:
        logger.warning("parameter overrides for undeclared parameters ignored: %s",
                       sorted(unknown))
    out: dict[str, Any] = {}
    for name, spec in decl.items():
        if name in overrides:
            value = overrides[name]
        elif "Default" in (spec or {}):
            value = spec["Default"]
        else:
            raise TemplateError(f"parameter {name!r} has no Default and no override")
        ptype = str((spec or {}).get("Type", "String"))
        if ptype.startswith("List<") or ptype == "CommaDelimitedList":
            value = value if isinstance(value, list) else [
                v.strip() for v in str(value).split(",")]
        elif not isinstance(value, list):
            value = str(value)
        allowed = (spec or {}).get("AllowedValues")
        if allowed and value not in [str(a) for a in allowed]:
            raise TemplateError(f"parameter {name!r}={value!r} not in AllowedValues {allowed}")
        out[name] = value
    return out


def _realtime_from(graphql_url: str) -> str:
    return graphql_url.replace("https://", "wss://", 1).replace("http://", "ws://", 1)


def _pick_api(candidates: list[str], wanted: str | None) -> str:
    if wanted:
        if wanted not in candidates:
            raise TemplateError(f"no AWS::AppSync::GraphQLApi named {wanted!r}")
        return wanted
    if not candidates:
        raise TemplateError("the template has no AWS::AppSync::GraphQLApi resource "
                            "(AWS::Serverless::GraphQLApi is not supported locally)")
    if len(candidates) > 1:
        logger.warning("several GraphQL APIs %s; serving %s", candidates, candidates[0])
    return sorted(candidates)[0]


def _belongs(res: Mapping[str, Any], api_logical: str, api_id: str,
             ctx: IntrinsicContext) -> bool:
    raw = (res.get("Properties") or {}).get("ApiId")
    if raw is None:
        return False
    if raw in ({"Fn::GetAtt": [api_logical, "ApiId"]}, {"Ref": api_logical}):
        return True
    return bool(resolve(raw, ctx) == api_id)


def _schema(in_api: list[str], active: Mapping[str, Any], props: Any,
            base: Path) -> tuple[str, Path | None]:
    schemas = [lg for lg in in_api if active[lg]["Type"] == "AWS::AppSync::GraphQLSchema"]
    if not schemas:
        raise TemplateError("no AWS::AppSync::GraphQLSchema for the API")
    p = props(schemas[0])
    if "Definition" in p:
        return str(p["Definition"]), None
    loc = str(p.get("DefinitionS3Location", ""))
    if not loc or loc.startswith("s3://"):
        raise TemplateError("GraphQLSchema needs Definition or a local DefinitionS3Location "
                            f"path relative to the template (got {loc!r})")
    path = (base / loc.removeprefix("file://")).resolve()
    try:
        return path.read_text(encoding="utf-8"), path
    except OSError as exc:
        raise TemplateError(f"cannot read schema {path}: {exc}") from exc


def _auth_providers(api: Mapping[str, Any], functions: Mapping[str, Any]
                    ) -> tuple[AuthProviderSpec, ...]:
    def one(p: Mapping[str, Any]) -> AuthProviderSpec:
        try:
            mode = AuthMode(str(p.get("AuthenticationType")))
        except ValueError:
            raise TemplateError(f"unknown AuthenticationType {p.get('AuthenticationType')!r}"
                                ) from None
        up, oidc, lam = (p.get("UserPoolConfig"), p.get("OpenIDConnectConfig"),
                         p.get("LambdaAuthorizerConfig"))
        arn = str((lam or {}).get("AuthorizerUri", ""))
        fid = next((f.logical_id for f in functions.values() if f.arn == arn), None)
        return AuthProviderSpec(
            mode,
            UserPoolConfig(str(up["UserPoolId"]), up.get("AwsRegion"),
                           up.get("AppIdClientRegex"),
                           str(up.get("DefaultAction", "ALLOW"))) if up else None,
            OpenIDConnectConfig(str(oidc["Issuer"]), oidc.get("ClientId"),
                                int(oidc.get("IatTTL", 0)), int(oidc.get("AuthTTL", 0)))
            if oidc else None,
            LambdaAuthorizerConfig(arn, fid, int(lam.get("AuthorizerResultTtlInSeconds", 300)),
                                   lam.get("IdentityValidationExpression")) if lam else None,
        )

    return (one(api), *(one(p) for p in api.get("AdditionalAuthenticationProviders") or ()))


def _api_key(logical: str, p: Mapping[str, Any], refs: ResourceRefs) -> ApiKeySpec:
    exp = p.get("Expires")
    # No Expires: AppSync defaults to 7 days after creation; locally the key never expires.
    return ApiKeySpec(logical, refs.api_key_value(logical), int(exp) if exp is not None else None,
                      p.get("Description"))


def _data_sources(in_api: list[str], active: Mapping[str, Any], props: Any,
                  functions: Mapping[str, Any], warnings: list[str]) -> dict[str, DataSourceSpec]:
    out: dict[str, DataSourceSpec] = {}
    for lg in in_api:
        if active[lg]["Type"] != "AWS::AppSync::DataSource":
            continue
        p = props(lg)
        dtype = str(p.get("Type"))
        arn = (p.get("LambdaConfig") or {}).get("LambdaFunctionArn")
        fid = None
        if dtype == "AWS_LAMBDA":
            # Qualified ARNs (":alias"/":version") point at the same local function.
            base = ":".join(str(arn).split(":")[:7])
            fid = next((f.logical_id for f in functions.values() if f.arn == base), None)
            if fid is None:
                warnings.append(f"data source {p.get('Name')}: function {arn} is not a "
                                "Python AWS::Serverless::Function of this template")
        elif dtype not in _EXECUTED_DS:
            warnings.append(f"data source {p.get('Name')} of type {dtype} is not executed "
                            "locally; fields using it return an error")
        out[str(p["Name"])] = DataSourceSpec(lg, str(p["Name"]), dtype, fid,
                                             str(arn) if arn else None)
    return out


def _js_code(p: Mapping[str, Any], template_dir: Path) -> str | None:
    """APPSYNC_JS code of a resolver: inline ``Code`` or the local file of ``CodeS3Location``."""
    runtime = p.get("Runtime") or {}
    if not isinstance(runtime, Mapping) or runtime.get("Name") != "APPSYNC_JS":
        return None
    if isinstance(p.get("Code"), str):
        return str(p["Code"])
    location = p.get("CodeS3Location")
    if isinstance(location, str) and not location.startswith("s3://"):
        return (template_dir / location).read_text(encoding="utf-8")
    return None


def _resolvers(in_api: list[str], active: Mapping[str, Any], props: Any,
               data_sources: Mapping[str, DataSourceSpec],
               warnings: list[str], template_dir: Path) -> dict[tuple[str, str], ResolverSpec]:
    out: dict[tuple[str, str], ResolverSpec] = {}
    code_keys = ("Code", "CodeS3Location", "RequestMappingTemplate",
                 "RequestMappingTemplateS3Location", "ResponseMappingTemplate",
                 "ResponseMappingTemplateS3Location")
    for lg in in_api:
        if active[lg]["Type"] != "AWS::AppSync::Resolver":
            continue
        p = props(lg)
        kind = str(p.get("Kind", "UNIT"))
        ds = p.get("DataSourceName")
        has_code = any(k in p for k in code_keys)
        code = _js_code(p, template_dir)
        if kind != "UNIT":
            warnings.append(f"resolver {p['TypeName']}.{p['FieldName']}: {kind} resolvers are "
                            "not executed locally")
        elif has_code and code is None:
            warnings.append(f"resolver {p['TypeName']}.{p['FieldName']}: VTL templates are "
                            "not run locally; NONE echoes its arguments, a Lambda gets the "
                            "Direct Lambda event")
        out[(str(p["TypeName"]), str(p["FieldName"]))] = ResolverSpec(
            lg, str(p["TypeName"]), str(p["FieldName"]), str(ds) if ds else None, kind,
            int(p.get("MaxBatchSize", 0) or 0), has_code, code)
    return out


def _table(logical: str, p: dict[str, Any], refs: ResourceRefs) -> TableSpec:
    name = refs.table_name(logical)
    p.setdefault("TableName", name)
    return TableSpec(logical, name, refs.get_att(logical, "Arn"), refs.stream_arn(logical), p)


def _cognito(by_type: Mapping[str, list[str]], active: Mapping[str, Any], props: Any,
             refs: ResourceRefs) -> tuple[dict[str, UserPoolSpec],
                                          dict[str, UserPoolClientSpec],
                                          dict[str, UserPoolGroupSpec]]:
    def pool_logical(lg: str) -> str | None:
        raw = (active[lg].get("Properties") or {}).get("UserPoolId")
        return raw["Ref"] if isinstance(raw, dict) and "Ref" in raw else None

    pools = {lg: UserPoolSpec(lg, refs.user_pool_id(lg), str(props(lg).get("UserPoolName", lg)),
                              props(lg)) for lg in by_type.get("AWS::Cognito::UserPool", [])}
    clients = {}
    for lg in by_type.get("AWS::Cognito::UserPoolClient", []):
        p = props(lg)
        clients[lg] = UserPoolClientSpec(lg, str(refs.ref(lg)), str(p.get("UserPoolId")),
                                         pool_logical(lg), str(p.get("ClientName", lg)), p)
    groups = {}
    for lg in by_type.get("AWS::Cognito::UserPoolGroup", []):
        p = props(lg)
        groups[lg] = UserPoolGroupSpec(lg, str(p.get("GroupName", lg)), str(p.get("UserPoolId")),
                                       pool_logical(lg), p)
    return pools, clients, groups


def _outputs(outputs: Mapping[str, Any], ctx: IntrinsicContext) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in outputs.items():
        try:
            out[name] = resolve((spec or {}).get("Value"), ctx)
        except TemplateError as exc:
            logger.debug("output %s not resolvable locally: %s", name, exc)
    return out
