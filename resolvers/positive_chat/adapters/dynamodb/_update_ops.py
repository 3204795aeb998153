"""UpdateItem (or transaction Update) requests built from attribute names and values."""

from __future__ import annotations

from typing import Any

from . import codec
from . import keys as k

Op = dict[str, Any]


def update_op(table: str, pk: str, sk: str, sets: dict[str, Any], adds: dict[str, int]) -> Op:
    """SET attr = value ... ADD attr delta ...; every name through a placeholder."""
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    set_parts, add_parts = [], []
    for i, (name, value) in enumerate(sets.items()):
        names[f"#s{i}"] = name
        values[f":s{i}"] = codec.to_value(value)
        set_parts.append(f"#s{i} = :s{i}")
    for i, (name, delta) in enumerate(adds.items()):
        names[f"#a{i}"] = name
        values[f":a{i}"] = {"N": str(delta)}
        add_parts.append(f"#a{i} :a{i}")
    expression = "SET " + ", ".join(set_parts)
    if add_parts:
        # ADD creates a missing counter at 0 first, so the first write needs no read.
        expression += " ADD " + ", ".join(add_parts)
    return {
        "Update": {
            "TableName": table,
            "Key": k.key(pk, sk),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
    }
