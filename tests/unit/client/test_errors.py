"""AppSync errors and transport failures -> pchat's exception tree."""

from __future__ import annotations

import aiohttp
import pytest
from gql.transport.exceptions import (
    TransportConnectionFailed,
    TransportQueryError,
    TransportServerError,
)
from pchat import (
    ApiError,
    AuthError,
    AuthMode,
    ConflictError,
    GqlTransport,
    OfflineError,
    PchatError,
    config_from_dict,
    credentials_for,
)
from pchat.errors import error_from_graphql
from pchat.transport import _mapped

CURRENT = {
    "id": "01ABC",
    "roomId": "r1",
    "author": {"id": "u1", "username": "bob"},
    "text": "their version",
    "language": "en",
    "tags": ["x"],
    "translations": [],
    "translationStatus": "NOT_NEEDED",
    "createdAt": "2024-01-01T00:00:00.000Z",
    "clientId": "c1",
    "_version": 4,
    "_lastChangedAt": 1700000000000,
    "_deleted": False,
}


def test_conflict_unhandled_carries_the_server_item_as_a_message() -> None:
    error = error_from_graphql(
        [
            {
                "errorType": "ConflictUnhandled",
                "message": "stale",
                "data": CURRENT,
                "path": ["editMessage"],
            }
        ]
    )
    assert isinstance(error, ConflictError) and isinstance(error, ApiError)
    assert error.current is not None and error.current.version == 4
    assert error.current.text == "their version" and error.path == ("editMessage",)


@pytest.mark.parametrize(
    ("error_type", "transient"),
    [
        ("ValidationError", False),
        ("Unauthorized", False),
        ("NotFound", False),
        ("DuplicateRequest", False),
        ("InternalError", True),
        ("StoreError", True),
        ("Lambda:Unhandled", True),
    ],
)
def test_api_errors_keep_their_type_and_say_whether_a_retry_may_help(
    error_type: str, transient: bool
) -> None:
    error = error_from_graphql([{"errorType": error_type, "message": "m"}])
    assert type(error) is ApiError
    assert error.error_type == error_type and error.transient is transient


def test_validation_errors_without_error_type_are_api_errors() -> None:
    error = error_from_graphql([{"message": "Validation error of type FieldUndefined: ..."}])
    assert isinstance(error, ApiError) and error.error_type is None


def test_a_request_level_unauthorized_exception_is_an_auth_error() -> None:
    error = error_from_graphql(
        [
            {
                "errorType": "UnauthorizedException",
                "message": "Valid authorization header not provided.",
            }
        ]
    )
    assert isinstance(error, AuthError)


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (TransportQueryError("x", errors=[{"errorType": "NotFound", "message": "no"}]), ApiError),
        (TransportServerError("401, message='Unauthorized'", 401), AuthError),
        (TransportServerError("Server error: 'UnauthorizedException'"), AuthError),
        (TransportServerError("503, message='Service Unavailable'", 503), OfflineError),
        (TransportServerError("No keep-alive message has been received"), OfflineError),
        (TransportServerError("500, message='Internal Server Error'", 500), ApiError),
        (TransportConnectionFailed("Connection refused"), OfflineError),
        (aiohttp.ServerDisconnectedError(), OfflineError),
        (ConnectionRefusedError(111, "Connection refused"), OfflineError),
        (TimeoutError(), OfflineError),
    ],
)
def test_transport_failures_are_classified_by_who_failed(
    exc: Exception, expected: type[PchatError]
) -> None:
    assert isinstance(_mapped(exc, "http://api/graphql"), expected)


def test_unrelated_exceptions_are_not_disguised() -> None:
    bug = KeyError("a bug of ours")
    assert _mapped(bug, "http://api/graphql") is bug


def test_credentials_in_websocket_urls_never_reach_messages() -> None:
    exc = OSError("bad URI ws://h/graphql?header=eyJBdXRob3JpemF0aW9uIjoiand0In0=&payload=e30=")
    message = str(_mapped(exc, "ws://h/graphql"))
    assert "eyJ" not in message and "header=<redacted>" in message


def test_validation_errors_keep_the_field_and_limit_of_error_info() -> None:
    error = error_from_graphql([{
        "errorType": "ValidationError", "message": "the window spans 93 days",
        "errorInfo": {"field": "from", "limit": 92}}])
    assert isinstance(error, ApiError)
    assert (error.field, error.limit, error.transient) == ("from", 92, False)
    plain = error_from_graphql([{"errorType": "ValidationError", "message": "x",
                                 "errorInfo": "not a mapping"}])
    assert isinstance(plain, ApiError) and (plain.field, plain.limit) == (None, None)


async def test_the_request_timeout_is_the_configured_one_not_gqls_default() -> None:
    config = config_from_dict({"graphqlUrl": "http://127.0.0.1:9/graphql",
                               "region": "us-east-1", "apiKey": "da2-x"})
    transport = GqlTransport(config, credentials_for(config, AuthMode.API_KEY), timeout_s=45)
    await transport._http_session()  # connects nothing until a request
    assert transport._client is not None and transport._client.execute_timeout == 45
    await transport.close()
