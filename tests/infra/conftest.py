"""Fixtures of the infrastructure consistency tests (template <-> schema <-> code)."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GraphQLSchema

from tests.infra import _appsync_schema, _template


@pytest.fixture(scope="session")
def schema() -> GraphQLSchema:
    return _appsync_schema.load(str(_template.SCHEMA_PATH))


@pytest.fixture(scope="session")
def tpl() -> dict[str, Any]:
    return _template.template()
