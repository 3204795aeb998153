"""The Direct Lambda resolver event (reference 5.1): the whole AppSync context object."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import GraphQLResolveInfo, print_ast
from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)


def selection_set_list(nodes: Sequence[FieldNode],
                       fragments: Mapping[str, FragmentDefinitionNode]) -> list[str]:
    """``selectionSetList``: ``/``-joined paths, aliases replacing names, fragments flattened.

    ``__typename`` is left out: handlers use this list for projections (U: unverified
    whether AppSync lists it).
    """
    out: list[str] = []
    seen: set[str] = set()

    def walk(sel: SelectionSetNode | None, prefix: str) -> None:
        for s in sel.selections if sel else ():
            if isinstance(s, FieldNode):
                if s.name.value == "__typename":
                    continue
                key = prefix + (s.alias.value if s.alias else s.name.value)
                if key not in seen:
                    seen.add(key)
                    out.append(key)
                walk(s.selection_set, key + "/")
            elif isinstance(s, InlineFragmentNode):
                walk(s.selection_set, prefix)
            elif isinstance(s, FragmentSpreadNode):
                frag = fragments.get(s.name.value)
                walk(frag.selection_set if frag else None, prefix)

    for node in nodes:
        walk(node.selection_set, "")
    return out


def selection_set_graphql(nodes: Sequence[FieldNode]) -> str:
    """``selectionSetGraphQL``: the printed selection (fragment spreads are not merged)."""
    sets = [n.selection_set for n in nodes if n.selection_set is not None]
    if not sets:
        return ""
    merged = sets[0] if len(sets) == 1 else SelectionSetNode(
        selections=tuple(s for ss in sets for s in ss.selections))
    return print_ast(merged)


class EventFactory:
    """Builds events for one request; selection data is computed once per field node."""

    def __init__(self, *, identity: dict[str, Any] | None, headers: Mapping[str, str],
                 variables: Mapping[str, Any] | None, domain_name: str | None = None) -> None:
        self._identity = identity
        self._request = {"headers": dict(headers), "domainName": domain_name}
        self._variables = dict(variables or {})
        self._selection_cache: dict[int, tuple[list[str], str]] = {}

    def _selection(self, nodes: Sequence[FieldNode],
                   fragments: Mapping[str, FragmentDefinitionNode]) -> tuple[list[str], str]:
        key = id(nodes[0])
        cached = self._selection_cache.get(key)
        if cached is None:
            cached = (selection_set_list(nodes, fragments), selection_set_graphql(nodes))
            self._selection_cache[key] = cached
        return cached

    def build(self, info: GraphQLResolveInfo[Any], arguments: Mapping[str, Any], source: Any,
              *, is_root: bool) -> dict[str, Any]:
        return self.build_for(info.field_name, info.parent_type.name, info.field_nodes,
                              info.fragments, arguments, source, is_root=is_root)

    def build_for(self, field_name: str, parent_type: str, nodes: Sequence[FieldNode],
                  fragments: Mapping[str, FragmentDefinitionNode],
                  arguments: Mapping[str, Any], source: Any, *, is_root: bool
                  ) -> dict[str, Any]:
        sel_list, sel_gql = self._selection(nodes, fragments)
        return {
            "arguments": dict(arguments),
            "identity": self._identity,
            "source": None if is_root else source,
            "request": self._request,
            "prev": None,
            "info": {
                "fieldName": field_name,
                "parentTypeName": parent_type,
                "variables": self._variables,
                "selectionSetList": list(sel_list),
                "selectionSetGraphQL": sel_gql,
            },
            "stash": {},
        }
