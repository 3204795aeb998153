"""Import rules that keep the core clean (style.md): checked on the source, not by convention."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "resolvers" / "positive_chat"
STDLIB = set(sys.stdlib_module_names)


def _imports(path: Path) -> list[tuple[str, int]]:
    """(absolute-ish module, relative level) for every import in a file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def _resolve(path: Path, module: str, level: int) -> str:
    if level == 0:
        return module
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    base = parts[: len(parts) - level]
    return ".".join([*base, module] if module else base)


def _violations(folder: str, allowed_internal: tuple[str, ...]) -> list[str]:
    bad = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for module, level in _imports(path):
            target = _resolve(path, module, level)
            top = target.split(".")[0]
            if top == "positive_chat":
                if not target.startswith(allowed_internal):
                    bad.append(f"{path.relative_to(ROOT)} imports {target}")
            elif top not in STDLIB and top != "__future__":
                bad.append(f"{path.relative_to(ROOT)} imports third-party {target}")
    return bad


def test_domain_imports_only_stdlib_and_itself():
    assert _violations("domain", ("positive_chat.domain",)) == []


def test_services_import_only_stdlib_domain_and_ports():
    allowed = ("positive_chat.domain", "positive_chat.services", "positive_chat.ports")
    assert _violations("services", allowed) == []


def test_ports_import_only_the_domain():
    bad = []
    for module, level in _imports(PACKAGE / "ports.py"):
        target = _resolve(PACKAGE / "ports.py", module, level)
        top = target.split(".")[0]
        if (
            top == "positive_chat" and not target.startswith("positive_chat.domain")
        ) or top not in STDLIB | {"positive_chat", "__future__"}:
            bad.append(target)
    assert bad == []


def test_the_local_runtime_knows_nothing_of_the_chat():
    offenders = []
    for path in sorted((ROOT / "appsync_local").rglob("*.py")):
        for module, level in _imports(path):
            if level == 0 and module.split(".")[0] in ("positive_chat", "pchat"):
                offenders.append(f"{path.relative_to(ROOT)} imports {module}")
    assert offenders == []


def test_only_settings_reads_the_environment():
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "settings.py":
            continue
        text = path.read_text()
        if "os.environ" in text or "os.getenv" in text:
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
