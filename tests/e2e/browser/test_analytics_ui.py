"""The analytics page (#/analytics) of the real web UI, against a scripted API.

The page's GraphQL and Cognito requests are answered by Playwright routes (so every request
and its variables are recorded, and any answer can be scripted: refusals, empty windows,
slow replies); its real-time socket goes to the stub of _stub_appsync.py. The same page
against the real runtime: test_chat_ui.py::test_room_analytics_from_real_counters.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ._stub_appsync import StubAppSync, static_server
from .conftest import REPO, WEB_DIR, failed

XSS_IMG = "<img src=x onerror=alert(1)>"
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
ANALYTICS = ("TopTags", "TagTrends", "RoomStats")

GARDEN = "01GARDEN0000000000000000AA"
BOOKS = "01BOOKS00000000000000000AA"
XSS_ROOM = "01XSS0000000000000000000AA"

TOP = [("garden", 12), ("tomatoes", 7), ("watering", 5), ("sunflowers", 3), ("compost", 1)]
STATS = {
    "accepted": 42,
    "rejected": 6,
    "deleted": 2,
    "activeAuthors": 5,
    "sentiment": {"positive": 30, "negative": 1, "neutral": 6, "mixed": 2, "unscored": 1},
}


def room(room_id: str, name: str, visibility: str = "PUBLIC") -> dict[str, Any]:
    return {
        "id": room_id,
        "name": name,
        "description": None,
        "visibility": visibility,
        "owner": {"id": "sub-owner", "username": "olivia"},
        "languages": ["en"],
        "memberCount": 3,
        "createdAt": "2025-01-01T00:00:00Z",
    }


def jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def ms(iso: str) -> int:
    return int(datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp() * 1000)


def iso(value: int) -> str:
    return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def buckets_of(variables: dict[str, Any]) -> list[int]:
    """Bucket starts of a tagTrends window, as the resolver aligns it."""
    step = HOUR_MS if variables["granularity"] == "HOUR" else DAY_MS
    start = ms(variables["from"]) // step * step
    end = -(-ms(variables["to"]) // step) * step
    return list(range(start, end, step))


def error(
    op_field: str, error_type: str, message: str, info: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "data": None,
        "errors": [
            {
                "path": [op_field],
                "data": None,
                "errorType": error_type,
                "errorInfo": info,
                "locations": [{"line": 2, "column": 3, "sourceName": None}],
                "message": message,
            }
        ],
    }


@dataclass
class FakeApi:
    """Answers the page's GraphQL requests like the resolvers would, and records them."""

    analyst: bool = True
    top: Callable[[dict[str, Any]], list[tuple[str, int]]] = lambda _v: TOP
    trend_count: Callable[[int], int] = lambda i: (i * 3) % 4
    stats: dict[str, Any] = field(default_factory=lambda: dict(STATS))
    failures: dict[str, dict[str, Any]] = field(default_factory=dict)
    public: list[dict[str, Any]] = field(
        default_factory=lambda: [room(GARDEN, "Garden club"), room(XSS_ROOM, f"Tips {XSS_IMG}")]
    )
    mine: list[dict[str, Any]] = field(
        default_factory=lambda: [room(GARDEN, "Garden club"), room(BOOKS, "Book club", "PRIVATE")]
    )
    hold: bool = False
    held: list[tuple[Any, str, dict[str, Any]]] = field(default_factory=list)
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def analytics_calls(self, op: str | None = None) -> list[dict[str, Any]]:
        return [v for name, v in self.calls if name in ANALYTICS and (op is None or name == op)]

    def on_graphql(self, route: Any, request: Any) -> None:
        body = json.loads(request.post_data)
        match = re.search(r"\b(?:query|mutation|subscription)\s+(\w+)", body["query"])
        op = match.group(1) if match else "?"
        variables = body.get("variables") or {}
        self.calls.append((op, variables))
        if self.hold and op in ANALYTICS:
            self.held.append((route, op, variables))
            return
        self.fulfil(route, op, variables)

    def release(self) -> None:
        held, self.held = self.held, []
        for route, op, variables in held:
            self.fulfil(route, op, variables)

    def fulfil(self, route: Any, op: str, variables: dict[str, Any]) -> None:
        route.fulfill(
            status=200, content_type="application/json", body=json.dumps(self.answer(op, variables))
        )

    def answer(self, op: str, v: dict[str, Any]) -> dict[str, Any]:
        if op in self.failures:
            return self.failures[op]
        if op == "Me":
            return {
                "data": {
                    "me": {
                        "id": "sub-dana",
                        "username": "dana",
                        "preferredLanguage": "en",
                        "points": 0,
                        "rejectedCount": 0,
                    }
                }
            }
        if op == "Rooms":
            items = self.public if v.get("scope") == "PUBLIC" else self.mine
            return {"data": {"rooms": {"items": items, "nextToken": None}}}
        cross_room = op in ("TopTags", "TagTrends") and v.get("roomId") is None
        if cross_room and not self.analyst:
            what = "Top tags" if op == "TopTags" else "Tag trends"
            return error(
                op[0].lower() + op[1:],
                "Unauthorized",
                f"{what} across every room needs the 'analysts' group; pass roomId for one room",
            )
        if op == "TopTags":
            return {"data": {"topTags": [{"tag": t, "count": n} for t, n in self.top(v)]}}
        if op == "TagTrends":
            starts = buckets_of(v)
            counts = [self.trend_count(i) for i in range(len(starts))]
            return {
                "data": {
                    "tagTrends": {
                        "tag": v["tag"].strip().lower(),
                        "roomId": v.get("roomId"),
                        "granularity": v["granularity"],
                        "from": iso(starts[0]),
                        "to": iso(
                            starts[-1] + (starts[1] - starts[0] if len(starts) > 1 else HOUR_MS)
                        ),
                        "buckets": [
                            {"start": iso(s), "count": n}
                            for s, n in zip(starts, counts, strict=True)
                        ],
                        "total": sum(counts),
                    }
                }
            }
        if op == "RoomStats":
            first = ms(v["from"]) // DAY_MS * DAY_MS
            last = -(-ms(v["to"]) // DAY_MS) * DAY_MS
            return {
                "data": {
                    "roomStats": {
                        "roomId": v["roomId"],
                        "from": iso(first),
                        "to": iso(last),
                        **self.stats,
                    }
                }
            }
        return error("unknown", "BadRequest", f"the fake API does not answer {op}")


@dataclass
class Session:
    page: Any
    api: FakeApi
    origin: str
    dialogs: list[str]
    errors: list[str]

    def sign_in(self, username: str = "dana", path: str = "#/analytics") -> None:
        page = self.page
        page.goto(f"{self.origin}/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill("irrelevant")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_text(f"Signed in as {username}")).to_be_visible()
        page.evaluate("(hash) => { location.hash = hash; }", path)
        expect(page.locator("#analytics")).to_be_visible()

    def no_trouble(self) -> None:
        assert self.dialogs == [], f"a dialog opened: {self.dialogs}"
        assert self.errors == [], f"page errors: {self.errors}"


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


@pytest.fixture
def fake() -> FakeApi:
    return FakeApi()


@pytest.fixture
def session(
    browser: Any, stub: StubAppSync, fake: FakeApi, request: pytest.FixtureRequest, output_dir: Path
) -> Iterator[Session]:
    with static_server(WEB_DIR) as origin:
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        page = context.new_page()
        session = Session(page, fake, origin, [], [])

        def on_dialog(dialog: Any) -> None:
            session.dialogs.append(dialog.message)
            dialog.dismiss()

        def on_console(message: Any) -> None:
            if message.type == "error":
                session.errors.append(f"{message.text} ({message.location.get('url', '')})")

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda e: session.errors.append(str(e)))
        page.on("console", on_console)
        config = {
            "graphqlUrl": f"{origin}/graphql",
            "realtimeUrl": f"ws://127.0.0.1:{stub.port}/graphql",
            "region": "us-east-1",
            "userPool": {
                "id": "us-east-1_test",
                "clientId": "web",
                "endpoint": f"{origin}/cognito/",
            },
        }
        page.route(
            "**/config.json",
            lambda route, _r: route.fulfill(
                status=200, content_type="application/json", body=json.dumps(config)
            ),
        )

        def cognito(route: Any, _request: Any) -> None:
            claims = {
                "sub": "sub-dana",
                "cognito:username": "dana",
                "token_use": "id",
                "exp": int(time.time()) + 3600,
                "cognito:groups": ["analysts"] if fake.analyst else [],
            }
            route.fulfill(
                status=200,
                content_type="application/x-amz-json-1.1",
                body=json.dumps(
                    {
                        "AuthenticationResult": {
                            "IdToken": jwt(claims),
                            "AccessToken": "access",
                            "RefreshToken": "refresh",
                            "ExpiresIn": 3600,
                        }
                    }
                ),
            )

        page.route(f"{origin}/cognito/", cognito)
        page.route(f"{origin}/graphql", fake.on_graphql)
        yield session
        if failed(request):
            page.screenshot(
                path=str(output_dir / f"FAILED-{request.node.name}.png"), full_page=True
            )
        fake.hold = False
        fake.release()
        context.close()


def bars(page: Any) -> Any:
    return page.locator("#top-tags-chart g.bar")


def bar_labels(page: Any) -> list[str]:
    return list(page.locator("#top-tags-chart g.bar text.label").all_text_contents())


def until(page: Any, check: Callable[[], bool], timeout_ms: int = 5000) -> None:
    """Wait for a condition on recorded requests (the page runs, and routes answer, meanwhile)."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        page.wait_for_timeout(50)


def window_of(variables: dict[str, Any]) -> int:
    return ms(variables["to"]) - ms(variables["from"])


# -- tests -------------------------------------------------------------------------------


def test_top_tags_chart_and_the_trend_of_a_clicked_tag(session: Session, output_dir: Path) -> None:
    page, api = session.page, session.api
    session.sign_in()
    expect(page.locator("#nav-analytics")).to_have_attribute("aria-current", "page")

    # Default: the last 7 days, hourly, all rooms (an analyst); one bar per top tag, in order.
    expect(bars(page)).to_have_count(len(TOP))
    assert bar_labels(page) == [t for t, _ in TOP]
    values = bars(page).evaluate_all("els => els.map(e => Number(e.getAttribute('data-value')))")
    assert values == [n for _, n in TOP]
    widths = page.locator("#top-tags-chart rect.bar-rect").evaluate_all(
        "els => els.map(e => Number(e.getAttribute('width')))"
    )
    assert widths == sorted(widths, reverse=True) and widths[0] > 4 * widths[-1]
    (top_call,) = api.analytics_calls("TopTags")
    assert top_call["roomId"] is None and top_call["limit"] == 20
    assert window_of(top_call) == 7 * DAY_MS
    assert page.locator("#analytics-granularity").input_value() == "HOUR"
    assert api.analytics_calls("TagTrends") == []
    expect(page.locator("#room-stats")).to_be_hidden()  # no room chosen
    # The numbers, as a table, behind a <details>.
    rows = page.locator("#top-tags details tbody tr")
    expect(rows).to_have_count(len(TOP))
    assert rows.nth(1).locator("th").text_content() == "tomatoes"
    assert rows.nth(1).locator("td").text_content() == "7"

    # Click a bar: that tag's trend over the same window, one point per hour.
    bars(page).filter(has=page.locator("text.label", has_text="tomatoes")).click()
    buckets = page.locator("#trend-chart rect.bucket")
    expect(buckets).to_have_count(7 * 24)
    (trend_call,) = api.analytics_calls("TagTrends")
    assert trend_call == {
        "tag": "tomatoes",
        "granularity": "HOUR",
        "roomId": None,
        "from": top_call["from"],
        "to": top_call["to"],
    }
    expect(page.locator("#tag-trend-title")).to_have_text("Trend of “tomatoes”")
    expect(page.locator('#top-tags-chart g.bar[data-label="tomatoes"]')).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(page.locator("#analytics-tag")).to_have_value("tomatoes")
    starts = buckets.evaluate_all("els => els.map(e => e.getAttribute('data-start'))")
    assert [ms(s) for s in starts] == buckets_of(trend_call)
    counts = buckets.evaluate_all("els => els.map(e => Number(e.getAttribute('data-count')))")
    assert counts == [(i * 3) % 4 for i in range(7 * 24)]
    # Tooltips (<title>) name the bucket and its count; axes are labelled.
    second = buckets.nth(1).locator("title").text_content()
    assert re.fullmatch(r"\w{3} \d{1,2} \w{3} \d{4}, \d\d:00–\d\d:00 UTC: 3 messages", second), (
        second
    )
    assert page.locator("#trend-chart .axis-title").all_text_contents() == [
        "Messages",
        "Hour (UTC)",
    ]
    assert page.locator("#trend-chart .x-axis text").count() >= 4
    expect(page.locator("#tag-trend-status")).to_contain_text(
        f"{sum(counts)} messages in all rooms"
    )
    expect(page.locator("#tag-trend details tbody tr")).to_have_count(7 * 24)
    page.screenshot(path=str(output_dir / "analytics-trend-hourly.png"), full_page=True)

    # A 30-day preset switches to daily buckets; the charted tag follows.
    page.locator('.preset[data-preset="30d"]').click()
    expect(buckets).to_have_count(30)
    expect(page.locator("#trend-chart circle.dot")).to_have_count(30)
    last_top = api.analytics_calls("TopTags")[-1]
    last_trend = api.analytics_calls("TagTrends")[-1]
    assert window_of(last_top) == 30 * DAY_MS and last_trend["granularity"] == "DAY"
    assert (last_trend["tag"], last_trend["from"], last_trend["to"]) == (
        "tomatoes",
        last_top["from"],
        last_top["to"],
    )
    assert last_top["from"].endswith("T00:00:00Z") and last_top["to"].endswith("T00:00:00Z")
    assert page.locator("#trend-chart .axis-title").last.text_content() == "Day (UTC)"

    # Bars are buttons for the keyboard too.
    page.locator('#top-tags-chart g.bar[data-label="garden"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#tag-trend-title")).to_have_text("Trend of “garden”")
    assert api.analytics_calls("TagTrends")[-1]["tag"] == "garden"
    page.screenshot(path=str(output_dir / "analytics-trend-daily.png"), full_page=True)
    session.no_trouble()


def test_a_room_shows_its_activity(session: Session, fake: FakeApi, output_dir: Path) -> None:
    fake.analyst = False
    page = session.page
    session.sign_in()
    # Not an analyst: starts with their own first room, never with all rooms.
    expect(page.locator("#analytics-room")).to_have_value(GARDEN)
    stats = page.locator("#room-stats")
    expect(stats.locator('[data-figure="accepted"] dd')).to_have_text("42")
    expect(stats.locator('[data-figure="rejected"] dd')).to_have_text("6")
    expect(stats.locator('[data-figure="deleted"] dd')).to_have_text("2")
    expect(stats.locator('[data-figure="activeAuthors"] dd')).to_have_text("5")
    expect(stats).to_contain_text("88% of posts and edits were accepted")
    expect(stats.locator("h3")).to_have_text("Sentiment of the 40 live messages")
    parts = page.locator("#sentiment-chart rect.part")
    assert parts.evaluate_all(
        "els => els.map(e => [e.getAttribute('data-key'), Number(e.getAttribute('data-value'))])"
    ) == [["positive", 30], ["neutral", 6], ["mixed", 2], ["negative", 1], ["unscored", 1]]
    widths = parts.evaluate_all("els => els.map(e => Number(e.getAttribute('width')))")
    assert abs(sum(widths) - 600) < 0.1 and widths[0] == pytest.approx(600 * 30 / 40, abs=0.01)
    assert parts.first.locator("title").text_content() == "Positive: 30 (75%)"
    (stats_call,) = fake.analytics_calls("RoomStats")
    assert stats_call["roomId"] == GARDEN and window_of(stats_call) == 7 * DAY_MS
    assert fake.analytics_calls("TopTags")[0]["roomId"] == GARDEN
    expect(bars(page)).to_have_count(len(TOP))
    page.screenshot(path=str(output_dir / "analytics-room.png"), full_page=True)

    # Another room: the address names it (shareable), both queries follow.
    fake.stats["accepted"] = 43
    page.locator("#analytics-room").select_option(BOOKS)
    expect(page).to_have_url(re.compile(rf"#/analytics\?room={BOOKS}$"))
    expect(stats.locator('[data-figure="accepted"] dd')).to_have_text("43")
    assert fake.analytics_calls("RoomStats")[-1]["roomId"] == BOOKS
    assert fake.analytics_calls("TopTags")[-1]["roomId"] == BOOKS

    # A link to #/analytics?room=… opens with that room chosen.
    page.evaluate("() => { location.hash = '#/'; }")
    expect(page.locator("#analytics-slot")).to_be_hidden()
    fake.stats["accepted"] = 44
    page.evaluate(f"() => {{ location.hash = '#/analytics?room={XSS_ROOM}'; }}")
    expect(page.locator("#analytics-room")).to_have_value(XSS_ROOM)
    expect(stats.locator('[data-figure="accepted"] dd')).to_have_text("44")
    assert fake.analytics_calls("RoomStats")[-1]["roomId"] == XSS_ROOM
    session.no_trouble()


def test_tags_and_room_names_with_markup_render_as_text(
    session: Session, fake: FakeApi, output_dir: Path
) -> None:
    script = "<script>alert('xss')</script>"
    fake.top = lambda _v: [(XSS_IMG, 9), (script, 4), ("garden", 2)]
    page = session.page
    session.sign_in()
    expect(bars(page)).to_have_count(3)
    assert bar_labels(page) == [XSS_IMG, script, "garden"]
    assert (
        page.locator("#top-tags-chart g.bar title").first.text_content() == f"{XSS_IMG}: 9 messages"
    )
    assert page.locator("#top-tags details tbody th").first.text_content() == XSS_IMG
    # The room named with markup is an <option> whose text is the markup.
    option = page.locator(f'#analytics-room option[value="{XSS_ROOM}"]')
    assert option.text_content() == f"Tips {XSS_IMG}"

    page.locator(f'#top-tags-chart g.bar[data-label="{XSS_IMG}"]').click()
    expect(page.locator("#trend-chart")).to_be_visible()
    assert fake.analytics_calls("TagTrends")[-1]["tag"] == XSS_IMG
    assert page.locator("#tag-trend-title .trend-tag").text_content() == XSS_IMG.lower()
    page.wait_for_timeout(300)  # an onerror would have fired by now
    assert (
        page.evaluate("document.querySelectorAll('img, script:not([src]), body script').length")
        == 0
    )
    assert (
        page.evaluate("document.querySelectorAll('svg foreignObject, svg a, svg script').length")
        == 0
    )
    page.screenshot(path=str(output_dir / "analytics-xss-as-text.png"), full_page=True)
    session.no_trouble()


def test_all_rooms_without_the_analysts_group_is_explained(
    session: Session, fake: FakeApi, output_dir: Path
) -> None:
    fake.analyst = False
    page = session.page
    session.sign_in()
    expect(bars(page)).to_have_count(len(TOP))  # their room first

    page.locator("#analytics-room").select_option("")
    problem = page.locator("#top-tags-error")
    expect(problem).to_contain_text("Analytics across all rooms need the “analysts” group")
    expect(problem).to_contain_text("Choose one room")
    # The server was asked, and said no.
    assert fake.analytics_calls("TopTags")[-1]["roomId"] is None
    expect(bars(page)).to_have_count(0)
    expect(page.locator("#room-stats")).to_be_hidden()
    option = page.locator('#analytics-room option[value=""]')
    assert option.text_content() == "All rooms (analysts group only)"
    page.screenshot(path=str(output_dir / "analytics-all-rooms-refused.png"), full_page=True)

    page.locator("#choose-room").click()
    expect(page.locator("#analytics-room")).to_be_focused()
    page.locator("#analytics-room").select_option(BOOKS)
    expect(bars(page)).to_have_count(len(TOP))
    expect(problem).to_be_empty()
    session.no_trouble()


def test_too_long_windows_are_refused_before_any_request(session: Session) -> None:
    page, api = session.page, session.api
    session.sign_in()
    expect(bars(page)).to_have_count(len(TOP))
    asked = len(api.calls)
    form_error = page.locator("#analytics-form-error")

    def choose(start: str, end: str, granularity: str | None = None, tag: str = "") -> None:
        page.locator("#analytics-from").fill(start)
        page.locator("#analytics-to").fill(end)
        page.locator("#analytics-tag").fill(tag)
        if granularity:
            page.locator("#analytics-granularity").select_option(granularity)  # submits
        else:
            page.locator("#analytics-show").click()

    # 120 days: more than topTags/roomStats allow (92).
    choose("2025-01-01T00:00", "2025-05-01T00:00", "DAY")
    expect(form_error).to_contain_text("at most 92 days; this window spans 120")
    # 400 days, daily, for one tag: more than tagTrends(DAY) allows (366).
    choose("2024-01-01T00:00", "2025-02-04T00:00", tag="garden")
    expect(form_error).to_contain_text("Daily trends cover at most 366 days; this window spans 400")
    # An empty or reversed window.
    choose("2025-03-02T00:00", "2025-03-01T00:00")
    expect(form_error).to_have_text("The start must be before the end.")
    page.wait_for_timeout(300)
    assert len(api.calls) == asked, api.calls[asked:]

    # 40 days hourly: top tags are asked (40 <= 92), the hourly trend is not (31).
    choose("2025-03-01T00:00", "2025-04-10T00:00", "HOUR", tag="garden")
    expect(page.locator("#tag-trend-error")).to_contain_text(
        "Hourly trends cover at most 31 days; this window spans 40. Choose daily buckets"
    )
    expect(form_error).to_be_empty()
    expect(bars(page)).to_have_count(len(TOP))
    assert [op for op, _ in api.calls[asked:]] == ["TopTags"]
    # 31 days hourly is allowed: 744 points.
    choose("2025-03-01T00:00", "2025-04-01T00:00", tag="garden")
    expect(page.locator("#trend-chart rect.bucket")).to_have_count(31 * 24)
    assert api.calls[-1][0] == "TagTrends"
    # 200 days of one tag, daily: only the trend is asked; top tags say why they are not.
    before = len(api.calls)
    choose("2025-01-01T00:00", "2025-07-20T00:00", "DAY", tag="garden")
    expect(page.locator("#trend-chart rect.bucket")).to_have_count(200)
    expect(page.locator("#top-tags-status")).to_contain_text("at most 92 days")
    assert [op for op, _ in api.calls[before:]] == ["TagTrends"]
    session.no_trouble()


def test_server_refusals_loading_and_empty_windows(
    session: Session, fake: FakeApi, output_dir: Path
) -> None:
    page = session.page
    limit_message = (
        "topTags: the window holds more than 20000 tag counters, the most one query "
        "reads; narrow from/to (or use the S3 export: docs/analytics.md)"
    )
    fake.failures["TopTags"] = error(
        "topTags", "ValidationError", limit_message, {"field": "from", "limit": 20000}
    )
    session.sign_in()
    problem = page.locator("#top-tags-error")
    expect(problem).to_contain_text(f"The server refused this window: {limit_message}")
    expect(problem.locator(".limit")).to_have_text("Server limit: 20000.")
    page.screenshot(path=str(output_dir / "analytics-validation-error.png"), full_page=True)

    # Loading: shown while the answer is awaited, replaced by the chart when it comes.
    del fake.failures["TopTags"]
    fake.hold = True
    page.locator('.preset[data-preset="24h"]').click()
    expect(page.locator("#top-tags")).to_have_attribute("aria-busy", "true")
    expect(page.locator("#top-tags-status")).to_have_text("Loading top tags…")
    expect(problem).to_be_empty()
    until(page, lambda: len(fake.held) == 1)
    fake.hold = False
    fake.release()
    expect(bars(page)).to_have_count(len(TOP))
    expect(page.locator("#top-tags")).not_to_have_attribute("aria-busy", "true")
    assert window_of(fake.analytics_calls("TopTags")[-1]) == DAY_MS

    # An empty window says so instead of drawing an empty chart.
    fake.top = lambda _v: []
    fake.trend_count = lambda _i: 0
    fake.stats = {
        "accepted": 0,
        "rejected": 0,
        "deleted": 0,
        "activeAuthors": 0,
        "sentiment": dict.fromkeys(("positive", "negative", "neutral", "mixed", "unscored"), 0),
    }
    page.locator("#analytics-tag").fill("garden")
    page.locator("#analytics-room").select_option(GARDEN)
    expect(page.locator("#top-tags-status")).to_contain_text("No tagged messages in this window")
    expect(page.locator("#tag-trend-status")).to_contain_text(
        "No messages tagged “garden” in this window"
    )
    expect(page.locator("#room-stats-status")).to_contain_text("No messages in this window")
    for chart in ("#top-tags-chart", "#trend-chart", "#sentiment-chart"):
        expect(page.locator(chart)).to_have_count(0)
    page.screenshot(path=str(output_dir / "analytics-empty.png"), full_page=True)
    session.no_trouble()


def test_every_operation_is_valid_against_the_schema(browser: Any) -> None:
    """The documents of js/operations.js, as the browser loads them, against schema.graphql."""
    from graphql import parse, validate

    from appsync_local.schema import build_appsync_schema

    schema = build_appsync_schema((REPO / "schema.graphql").read_text(encoding="utf-8"))
    with static_server(WEB_DIR) as origin:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{origin}/__harness.html")
        documents = page.evaluate("async () => Object.entries(await import('/js/operations.js'))")
        context.close()
    names = dict(documents)
    assert {"TOP_TAGS", "TAG_TRENDS", "ROOM_STATS"} <= names.keys()
    problems = {
        name: [e.message for e in validate(schema, parse(text))] for name, text in documents
    }
    assert {name: errs for name, errs in problems.items() if errs} == {}
