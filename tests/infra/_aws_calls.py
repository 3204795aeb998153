"""Which AWS operations the Lambda code can reach, found by reading it (AST), not by running it.

The boto3 clients are injected into the adapters (``self._client.query(...)``, or a helper's
``client.batch_get_item(...)``), so an operation is a call whose method name is an operation
of the service (from botocore's bundled models: offline) made in an adapter module of that
service. Reachability is followed through ``self.method()`` calls and through module-level
helpers imported inside the package, starting from:

* the adapter classes a wiring module instantiates (bootstrap.py for the API function, the
  module the stream handler imports for the publisher) and the adapter functions it passes on;
* of those classes, only the public methods the function's own code path calls by name.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from tests.infra._template import PACKAGE_DIR

PACKAGE = "positive_chat"

# Which services an adapter sub-package talks to (by folder name).
ADAPTER_SERVICES = {"dynamodb": ("dynamodb",), "nlp": ("comprehend", "translate")}

# DynamoDB's item-level (data-plane) operations; everything else (CreateTable,
# UpdateTimeToLive, DescribeTable via waiters...) is table management, which the deployed
# functions must never be allowed: CloudFormation owns the table. The adapters may still
# contain it for local provisioning.
DYNAMODB_DATA_PLANE = {
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
    "ExecuteStatement",
    "BatchExecuteStatement",
    "ExecuteTransaction",
    "ConditionCheckItem",
}
# Operations IAM authorizes as other actions (DynamoDB developer guide, transactions / PartiQL).
TRANSACT_ITEM_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
IAM_ACTIONS = {
    ("dynamodb", "TransactGetItems"): {"GetItem"},
    ("dynamodb", "ExecuteStatement"): {
        "PartiQLSelect",
        "PartiQLInsert",
        "PartiQLUpdate",
        "PartiQLDelete",
    },
    ("dynamodb", "BatchExecuteStatement"): {
        "PartiQLSelect",
        "PartiQLInsert",
        "PartiQLUpdate",
        "PartiQLDelete",
    },
    ("dynamodb", "ExecuteTransaction"): {
        "PartiQLSelect",
        "PartiQLInsert",
        "PartiQLUpdate",
        "PartiQLDelete",
    },
}


@cache
def operations(service: str) -> dict[str, str]:
    """boto3 method name -> API operation name, e.g. 'batch_get_item' -> 'BatchGetItem'."""
    import botocore.session
    from botocore import xform_name

    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(op): op for op in model.operation_names}


@dataclass(frozen=True)
class Call:
    service: str
    operation: str
    where: str  # file:line

    @property
    def data_plane(self) -> bool:
        return self.service != "dynamodb" or self.operation in DYNAMODB_DATA_PLANE


@dataclass
class _Module:
    name: str
    path: Path
    tree: ast.Module
    imports: dict[str, tuple[str, str | None]] = field(
        default_factory=dict
    )  # alias -> (module, attr)
    functions: dict[str, ast.FunctionDef] = field(default_factory=dict)
    classes: dict[str, dict[str, ast.FunctionDef]] = field(default_factory=dict)
    variables: set[str] = field(default_factory=set)

    @property
    def services(self) -> tuple[str, ...]:
        parts = self.name.split(".")
        if len(parts) > 2 and parts[1] == "adapters":
            return ADAPTER_SERVICES.get(parts[2], ())
        return ()


class CodeIndex:
    """The package's modules, parsed once."""

    def __init__(self, package_dir: Path = PACKAGE_DIR) -> None:
        self.modules: dict[str, _Module] = {}
        for path in sorted(package_dir.rglob("*.py")):
            rel = path.relative_to(package_dir.parent).with_suffix("")
            parts = list(rel.parts)
            is_package = parts[-1] == "__init__"
            if is_package:
                parts = parts[:-1]
            name = ".".join(parts)
            module = _Module(name, path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
            self._index(module, is_package)
            self.modules[name] = module

    @staticmethod
    def _index(module: _Module, is_package: bool) -> None:
        base = module.name.split(".") if is_package else module.name.split(".")[:-1]
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ImportFrom):
                source = (
                    ".".join(
                        base[: len(base) - node.level + 1] + ([node.module] if node.module else [])
                    )
                    if node.level
                    else (node.module or "")
                )
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = (source, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = (alias.name, None)
        for node in module.tree.body:
            if isinstance(node, ast.FunctionDef):
                module.functions[node.name] = node
            elif isinstance(node, ast.ClassDef):
                module.classes[node.name] = {
                    n.name: n for n in node.body if isinstance(n, ast.FunctionDef)
                }
            elif isinstance(node, (ast.Assign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                module.variables |= {t.id for t in targets if isinstance(t, ast.Name)}

    def resolve(self, module_name: str, name: str, depth: int = 0) -> tuple[str, str, str] | None:
        """('function'|'class'|'variable'|'module', module, name) a name means in a module,
        following re-exports."""
        module = self.modules.get(module_name)
        if module is None or depth > 10:
            return None
        if name in module.functions:
            return ("function", module_name, name)
        if name in module.classes:
            return ("class", module_name, name)
        if name in module.variables:
            return ("variable", module_name, name)
        if name in module.imports:
            source, attr = module.imports[name]
            if attr is None or f"{source}.{attr}" in self.modules:
                target = source if attr is None else f"{source}.{attr}"
                return ("module", target, "") if target in self.modules else None
            return self.resolve(source, attr, depth + 1)
        return None

    def _callee(self, module: _Module, func: ast.expr) -> tuple[str, str, str] | None:
        if isinstance(func, ast.Name):
            return self.resolve(module.name, func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            target = self.resolve(module.name, func.value.id)
            if target and target[0] == "module":
                return self.resolve(target[1], func.attr)
        return None

    # ------------------------------------------------------------------ a function's code path
    def code_path(self, handler_module: str) -> tuple[set[str], set[tuple[str, str]]]:
        """Package code a handler module can run, adapters excluded: whole modules (imported as
        modules or for a class) and single functions (imported by name, with their callees)."""
        modules: set[str] = set()
        functions: set[tuple[str, str]] = set()
        pending_modules: list[str] = [handler_module]
        pending_functions: list[tuple[str, str]] = []
        while pending_modules or pending_functions:
            if pending_modules:
                name = pending_modules.pop()
                if name in modules or ".adapters" in name or name not in self.modules:
                    continue
                modules.add(name)
                module = self.modules[name]
                for node in (
                    module.tree.body
                ):  # module-level imports only; local ones run with their function
                    if isinstance(node, (ast.Import, ast.ImportFrom)):
                        for alias in node.names:
                            target = self.resolve(name, alias.asname or alias.name.split(".")[0])
                            self._queue(target, pending_modules, pending_functions)
                continue
            module_name, func_name = pending_functions.pop()
            if (module_name, func_name) in functions or ".adapters" in module_name:
                continue
            functions.add((module_name, func_name))
            module = self.modules[module_name]
            function = module.functions.get(func_name)
            for call in ast.walk(function) if function else ():
                if isinstance(call, ast.Call):
                    self._queue(self._callee(module, call.func), pending_modules, pending_functions)
        return modules, functions

    @staticmethod
    def _queue(
        target: tuple[str, str, str] | None, modules: list[str], functions: list[tuple[str, str]]
    ) -> None:
        if target is None or not target[1].startswith(PACKAGE):
            return
        kind, module_name, name = target
        if kind == "function":
            functions.append((module_name, name))
        else:  # a module, or the module defining a class or a variable
            modules.append(module_name)

    def _nodes(
        self, modules: set[str], functions: set[tuple[str, str]]
    ) -> list[tuple[_Module, ast.AST]]:
        found: list[tuple[_Module, ast.AST]] = [
            (self.modules[m], self.modules[m].tree) for m in modules
        ]
        for module_name, func_name in functions:
            if module_name not in modules and func_name in self.modules[module_name].functions:
                found.append(
                    (self.modules[module_name], self.modules[module_name].functions[func_name])
                )
        return found

    def entries(self, handler_module: str) -> set[tuple[str, str | None, str]]:
        """Adapter entry points of a function: public methods of the adapter classes its code
        instantiates that its code calls by name, and adapter functions it passes on."""
        nodes = self._nodes(*self.code_path(handler_module))
        classes: set[tuple[str, str]] = set()
        entries: set[tuple[str, str | None, str]] = set()
        called: set[str] = set()
        for module, tree in nodes:
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    if isinstance(node.func, ast.Attribute):
                        called.add(node.func.attr)
                    target = self._callee(module, node.func)
                    if target and target[0] == "class" and ".adapters." in f"{target[1]}.":
                        classes.add((target[1], target[2]))
                elif isinstance(node, ast.keyword) and isinstance(node.value, ast.Name):
                    target = self.resolve(module.name, node.value.id)
                    if target and target[0] == "function" and ".adapters." in f"{target[1]}.":
                        entries.add((target[1], None, target[2]))
        for module_name, class_name in classes:
            for method in self.modules[module_name].classes[class_name]:
                if not method.startswith("_") and method in called:
                    entries.add((module_name, class_name, method))
        return entries

    def adapter_services(self) -> set[str]:
        """Services some adapter module talks to (a module of that service calls any operation)."""
        found: set[str] = set()
        for module in self.modules.values():
            for service in module.services:
                ops = operations(service)
                if any(
                    isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Attribute)
                    and n.func.attr in ops
                    for n in ast.walk(module.tree)
                ):
                    found.add(service)
        return found

    # ------------------------------------------------------------------ reachability
    def calls_from(self, entries: set[tuple[str, str | None, str]]) -> set[Call]:
        """AWS calls reachable from (module, class or None, function) entry points."""
        seen: set[tuple[str, str | None, str]] = set()
        calls: set[Call] = set()
        transact_keys: set[str] = set()
        pending: list[tuple[str, str | None, str]] = list(entries)
        while pending:
            module_name, class_name, func_name = pending.pop()
            if (module_name, class_name, func_name) in seen:
                continue
            seen.add((module_name, class_name, func_name))
            module = self.modules[module_name]
            body = (
                module.classes[class_name].get(func_name)
                if class_name
                else module.functions.get(func_name)
            )
            if body is None:
                continue
            for node in ast.walk(body):
                if isinstance(node, ast.Dict):
                    transact_keys |= {
                        k.value
                        for k in node.keys
                        if isinstance(k, ast.Constant) and k.value in TRANSACT_ITEM_ACTIONS
                    }
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                where = f"{module.path.relative_to(PACKAGE_DIR.parent.parent)}:{node.lineno}"
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.value.id == "self"
                    and class_name
                    and func.attr in module.classes[class_name]
                ):
                    pending.append((module_name, class_name, func.attr))
                    continue
                if isinstance(func, ast.Attribute):
                    calls |= self._aws_call(module, func.attr, node, where)
                target = self._callee(module, func)
                if target and target[0] == "function" and target[1].startswith(PACKAGE):
                    pending.append((target[1], None, target[2]))
        expanded: set[Call] = set()
        for call in calls:
            if (call.service, call.operation) == ("dynamodb", "TransactWriteItems"):
                kinds = transact_keys or set(TRANSACT_ITEM_ACTIONS)
                expanded |= {Call("dynamodb", TRANSACT_ITEM_ACTIONS[k], call.where) for k in kinds}
            else:
                expanded.add(call)
        return expanded

    @staticmethod
    def _aws_call(module: _Module, method: str, node: ast.Call, where: str) -> set[Call]:
        found: set[Call] = set()
        for service in module.services:
            ops = operations(service)
            if method in ops:
                found.add(Call(service, ops[method], where))
            elif method == "get_paginator" and node.args and isinstance(node.args[0], ast.Constant):
                op = ops.get(str(node.args[0].value))
                if op:
                    found.add(Call(service, op, where))
            elif method == "get_waiter" and service == "dynamodb":
                found.add(Call(service, "DescribeTable", where))
        return found


def iam_actions(calls: set[Call]) -> dict[str, set[str]]:
    """IAM actions per service for a set of calls (data plane only)."""
    result: dict[str, set[str]] = {}
    for call in calls:
        if call.data_plane:
            actions = IAM_ACTIONS.get((call.service, call.operation), {call.operation})
            result.setdefault(call.service, set()).update(actions)
    return result
