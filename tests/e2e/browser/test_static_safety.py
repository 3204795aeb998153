"""Static checks of client/web: no HTML sinks anywhere, a strict CSP, no inline code.

User text (messages, room names, usernames) must reach the page through textContent /
createElement only; the 2019 chat's XSS came from innerHTML.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from .conftest import WEB_DIR

SINKS = re.compile(
    r"\.innerHTML\b|\.outerHTML\b|insertAdjacentHTML|document\.write|\bsrcdoc\b"
    r"|createContextualFragment|DOMParser|\beval\s*\(|new\s+Function\s*\("
    r"|setAttribute\(\s*[\"']on|setTimeout\(\s*[\"'`]|setInterval\(\s*[\"'`]"
)


def web_files(*suffixes: str) -> list[Path]:
    files = [p for p in WEB_DIR.rglob("*") if p.is_file() and p.suffix in suffixes]
    assert files, f"no {suffixes} files under {WEB_DIR}"
    return files


def test_no_html_sinks_in_web_client() -> None:
    offenders = [
        f"{path.relative_to(WEB_DIR)}:{number}: {line.strip()}"
        for path in web_files(".js", ".mjs", ".html")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SINKS.search(line)
    ]
    assert not offenders, "HTML/code sinks found (use textContent/createElement):\n" + "\n".join(
        offenders)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.csp: list[str] = []
        self.inline_scripts = 0
        self.scripts: list[str] = []
        self.inline_handlers: list[str] = []
        self.style_attrs = 0
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp.append(a.get("content") or "")
        if tag == "script":
            self._in_script = True
            if a.get("src"):
                self.scripts.append(a["src"] or "")
        self.inline_handlers += [k for k in a if k.startswith("on")]
        self.style_attrs += "style" in a

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1


def test_index_has_a_strict_csp_and_no_inline_code() -> None:
    page = _Page()
    page.feed((WEB_DIR / "index.html").read_text(encoding="utf-8"))
    assert len(page.csp) == 1, "index.html needs one Content-Security-Policy meta tag"
    directives = {d.split()[0]: d.split()[1:] for d in page.csp[0].split(";") if d.strip()}
    assert directives["default-src"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert "require-trusted-types-for" in directives
    assert not any("unsafe" in v or v == "*" for vals in directives.values() for v in vals)
    assert page.inline_scripts == 0 and not page.inline_handlers and page.style_attrs == 0
    assert page.scripts == ["js/app.js"]


def test_every_module_import_resolves() -> None:
    """Plain ES modules, no build: every relative import must name an existing file."""
    missing = []
    for path in web_files(".js"):
        for target in re.findall(r"""from\s+["'](\.[^"']+)["']""", path.read_text("utf-8")):
            if not (path.parent / target).resolve().is_file():
                missing.append(f"{path.relative_to(WEB_DIR)} -> {target}")
    assert not missing, missing
