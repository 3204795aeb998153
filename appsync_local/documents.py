"""Parsed + validated GraphQL documents, cached (parse+validate dominates request cost)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse, validate

from .errors import request_error
from .validation_messages import NodeIndex, syntax_message, validation_message

MAX_QUERY_TOKENS = 15_000  # guards the parser against pathological documents


@dataclass(frozen=True)
class ParsedDocument:
    document: DocumentNode | None
    errors: list[dict[str, Any]] | None = None  # AppSync-shaped, when invalid


class DocumentCache:
    """LRU of query text -> parsed/validated document (invalid ones are cached too)."""

    def __init__(self, schema: GraphQLSchema, size: int = 1000) -> None:
        self._schema = schema
        self._size = size
        self._items: OrderedDict[str, ParsedDocument] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, query: str) -> ParsedDocument:
        with self._lock:
            hit = self._items.get(query)
            if hit is not None:
                self._items.move_to_end(query)
                return hit
        parsed = self._parse(query)
        with self._lock:
            self._items[query] = parsed
            if len(self._items) > self._size:
                self._items.popitem(last=False)
        return parsed

    def _parse(self, query: str) -> ParsedDocument:
        try:
            doc = parse(query, max_tokens=MAX_QUERY_TOKENS)
        except GraphQLError as exc:
            return ParsedDocument(None, [request_error(syntax_message(exc), exc.locations)])
        errors = validate(self._schema, doc)
        if errors:
            idx = NodeIndex(doc)
            return ParsedDocument(doc, [request_error(validation_message(e, idx), e.locations)
                                        for e in errors])
        return ParsedDocument(doc)
