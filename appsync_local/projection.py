"""Project a mutation's response onto its own selection set, keyed by field name.

AppSync publishes to ``@aws_subscribe`` subscribers the mutation result *as shaped by
the mutation's selection set* (reference 4.1): unselected fields are absent (and so
null for subscribers), aliases are replaced by field names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql.language import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)


def project(value: Any, selection: SelectionSetNode | None,
            fragments: Mapping[str, FragmentDefinitionNode]) -> Any:
    if selection is None or value is None:
        return value
    if isinstance(value, list):
        return [project(v, selection, fragments) for v in value]
    if not isinstance(value, Mapping):
        return value
    out: dict[str, Any] = {}
    _collect(value, selection, fragments, out)
    return out


def _collect(value: Mapping[str, Any], selection: SelectionSetNode,
             fragments: Mapping[str, FragmentDefinitionNode], out: dict[str, Any]) -> None:
    for sel in selection.selections:
        if isinstance(sel, FieldNode):
            key = sel.alias.value if sel.alias else sel.name.value
            # Absent keys were skipped (@skip/@include, non-matching fragment): leave absent.
            if key in value:
                projected = project(value[key], sel.selection_set, fragments)
                name = sel.name.value
                if isinstance(out.get(name), dict) and isinstance(projected, dict):
                    out[name] = {**out[name], **projected}
                else:
                    out[name] = projected
        elif isinstance(sel, InlineFragmentNode):
            _collect(value, sel.selection_set, fragments, out)
        elif isinstance(sel, FragmentSpreadNode):
            frag = fragments.get(sel.name.value)
            if frag is not None:
                _collect(value, frag.selection_set, fragments, out)
