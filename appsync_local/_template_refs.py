"""Local answers to ``Ref`` / ``Fn::GetAtt`` for the resource types a SAM AppSync API uses.

CloudFormation would return physical names and ARNs; locally they are derived
deterministically from the stack name and logical ids unless the caller supplies the
real values (e.g. the user pool id moto generated) through ``physical_ids``/``attributes``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .intrinsics import IntrinsicContext, TemplateError, resolve

logger = logging.getLogger(__name__)


def stable_token(*parts: str, length: int = 26) -> str:
    """Deterministic lowercase base32 token (AppSync API ids are 26 such characters)."""
    digest = hashlib.sha256("/".join(parts).encode()).digest()
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    return "".join(alphabet[b % 32] for b in digest)[:length]


class ResourceRefs:
    def __init__(self, resources: Mapping[str, Any], *, stack_name: str, region: str,
                 account_id: str, physical_ids: Mapping[str, str],
                 attributes: Mapping[str, Any], graphql_url: str, realtime_url: str,
                 function_globals: Mapping[str, Any] | None = None) -> None:
        self._resources = resources
        self._function_globals = function_globals or {}
        self._stack = stack_name
        self._region = region
        self._account = account_id
        self._physical = physical_ids
        self._attributes = attributes
        self._graphql_url = graphql_url
        self._realtime_url = realtime_url
        self.ctx: IntrinsicContext  # set by the loader (circular: props need the context)
        self._resolving: set[str] = set()
        self.warnings: list[str] = []

    def _type(self, logical: str) -> str:
        res = self._resources.get(logical)
        if res is None:
            raise TemplateError(f"reference to unknown resource or parameter {logical!r}")
        return str(res.get("Type", ""))

    def _prop(self, logical: str, name: str) -> Any:
        if logical in self._resolving:
            raise TemplateError(f"circular reference through {logical}")
        self._resolving.add(logical)
        try:
            raw = (self._resources[logical].get("Properties") or {}).get(name)
            return None if raw is None else resolve(raw, self.ctx)
        finally:
            self._resolving.discard(logical)

    def _arn(self, service: str, rest: str) -> str:
        return f"arn:aws:{service}:{self._region}:{self._account}:{rest}"

    # -- physical names -----------------------------------------------------------
    def api_id(self, logical: str) -> str:
        return self._physical.get(logical) or stable_token(self._stack, logical)

    def function_name(self, logical: str) -> str:
        return str(self._physical.get(logical) or self._prop(logical, "FunctionName")
                   or f"{self._stack}-{logical}")

    def table_name(self, logical: str) -> str:
        return str(self._physical.get(logical) or self._prop(logical, "TableName")
                   or f"{self._stack}-{logical}")

    def user_pool_id(self, logical: str) -> str:
        # Placeholder until ops passes the id moto generated.
        return str(self._physical.get(logical) or f"{self._region}_{logical}")

    def api_key_value(self, logical: str) -> str:
        return str(self._attributes.get(f"{logical}.ApiKey")
                   or "da2-" + stable_token(self._stack, logical, "key"))

    def stream_arn(self, logical: str) -> str | None:
        if not self._prop(logical, "StreamSpecification"):
            return None
        return self._arn("dynamodb", f"table/{self.table_name(logical)}/stream/local")

    def _sam_function_ref(self, logical: str) -> Any:
        """SAM's ``!Ref Fn.Alias`` / ``!Ref Fn.Version`` (``AutoPublishAlias``).

        Locally there is one code version, so the alias/version ARN qualifies the
        function's own ARN; data sources strip the qualifier to find the function.
        """
        base, _, suffix = logical.partition(".")
        if self._resources.get(base, {}).get("Type") != "AWS::Serverless::Function":
            return None
        arn = self._get_att(base, "AWS::Serverless::Function", "Arn")
        if suffix == "Alias":
            alias = self._prop(base, "AutoPublishAlias") or resolve(
                self._function_globals.get("AutoPublishAlias"), self.ctx)
            if not alias:
                raise TemplateError(f"!Ref {logical}: {base} has no AutoPublishAlias")
            return f"{arn}:{alias}"
        if suffix == "Version":
            return f"{arn}:1"
        return None

    # -- intrinsics ---------------------------------------------------------------
    def ref(self, logical: str) -> Any:
        if logical in self._physical:
            return self._physical[logical]
        if "." in logical and logical not in self._resources:
            sam_ref = self._sam_function_ref(logical)
            if sam_ref is not None:
                return sam_ref
        rtype = self._type(logical)
        if rtype == "AWS::Serverless::Function":
            return self.function_name(logical)
        if rtype == "AWS::DynamoDB::Table":
            return self.table_name(logical)
        if rtype == "AWS::Cognito::UserPool":
            return self.user_pool_id(logical)
        if rtype == "AWS::Cognito::UserPoolGroup":
            return self._prop(logical, "GroupName") or logical
        if rtype == "AWS::AppSync::GraphQLApi":
            return self._arn("appsync", f"apis/{self.api_id(logical)}")
        if rtype == "AWS::AppSync::DataSource":
            return self._arn("appsync", f"apis/{self._api_of(logical)}/datasources/"
                                        f"{self._prop(logical, 'Name')}")
        if rtype == "AWS::AppSync::ApiKey":
            return self._arn("appsync", f"apis/{self._api_of(logical)}/apikeys/{logical}")
        if rtype == "AWS::IAM::Role":
            return self._prop(logical, "RoleName") or f"{self._stack}-{logical}"
        return logical

    def _api_of(self, logical: str) -> str:
        api = self._prop(logical, "ApiId")
        return str(api) if api else "local"

    def get_att(self, logical: str, attr: str) -> Any:
        key = f"{logical}.{attr}"
        if key in self._attributes:
            return self._attributes[key]
        rtype = self._type(logical)
        value = self._get_att(logical, rtype, attr)
        if value is None:
            msg = f"Fn::GetAtt {key} ({rtype}) has no local value; using the placeholder {key!r}"
            self.warnings.append(msg)
            logger.warning(msg)
            return key
        return value

    def _get_att(self, logical: str, rtype: str, attr: str) -> Any:
        if rtype == "AWS::Serverless::Function":
            if attr == "Arn":
                return self._arn("lambda", f"function:{self.function_name(logical)}")
            if attr in ("Alias", "Version"):  # `${Fn.Alias}` inside Fn::Sub
                return self._sam_function_ref(f"{logical}.{attr}")
            if attr == "Version.Version":
                return "1"
            return None
        if rtype == "AWS::DynamoDB::Table":
            return {"Arn": self._arn("dynamodb", f"table/{self.table_name(logical)}"),
                    "StreamArn": self.stream_arn(logical)}.get(attr)
        if rtype == "AWS::AppSync::GraphQLApi":
            api_id = self.api_id(logical)
            gql, rt = urlsplit(self._graphql_url), urlsplit(self._realtime_url)
            return {"ApiId": api_id, "Arn": self._arn("appsync", f"apis/{api_id}"),
                    "GraphQLUrl": self._graphql_url, "RealtimeUrl": self._realtime_url,
                    "GraphQLDns": gql.netloc, "RealtimeDns": rt.netloc,
                    "GraphQLEndpointArn": self._arn("appsync", f"endpoints/graphql-api/{api_id}"),
                    }.get(attr)
        if rtype == "AWS::AppSync::DataSource":
            return {"Name": self._prop(logical, "Name"),
                    "DataSourceArn": self.ref(logical)}.get(attr)
        if rtype == "AWS::AppSync::ApiKey":
            # AppSync's key id *is* the key value.
            return {"ApiKey": self.api_key_value(logical), "ApiKeyId": self.api_key_value(logical),
                    "Arn": self.ref(logical)}.get(attr)
        if rtype == "AWS::Cognito::UserPool":
            pool = self.user_pool_id(logical)
            return {"Arn": self._arn("cognito-idp", f"userpool/{pool}"), "UserPoolId": pool,
                    "ProviderName": f"cognito-idp.{self._region}.amazonaws.com/{pool}",
                    "ProviderURL": f"https://cognito-idp.{self._region}.amazonaws.com/{pool}",
                    }.get(attr)
        if rtype == "AWS::Cognito::UserPoolClient":
            return {"ClientId": self.ref(logical),
                    "Name": self._prop(logical, "ClientName")}.get(attr)
        if rtype == "AWS::SQS::Queue":
            name = self._prop(logical, "QueueName") or f"{self._stack}-{logical}"
            return {"Arn": self._arn("sqs", name), "QueueName": name,
                    "QueueUrl": f"https://sqs.{self._region}.amazonaws.com/{self._account}/{name}",
                    }.get(attr)
        if rtype == "AWS::SNS::Topic" and attr == "TopicArn":
            return self._arn("sns", self._prop(logical, "TopicName") or f"{self._stack}-{logical}")
        if rtype == "AWS::IAM::Role" and attr == "Arn":
            return f"arn:aws:iam::{self._account}:role/{self.ref(logical)}"  # IAM is global
        return None
