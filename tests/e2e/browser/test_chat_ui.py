"""The web UI against the REAL local runtime (python -m appsync_local run ... --static client/web).

Two people (alice and bob, separate browser contexts) chat live; a negative message is
explained to its sender and reaches nobody; the tag cloud grows live and filters; XSS
payloads in a room name and a message render as text. Screenshots: test-output/browser/.

BROWSER_TESTS_RUNTIME=.local/runtime.json runs them against an API you already started
(it must serve client/web: `--static client/web`).
"""

from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from appsync_local.dynamodb_local import missing_requirements
from tests.runtime_process import REPO, RuntimeProcess
from tools.web_config import from_runtime

from .conftest import failed

LIVE_MS = 30000  # a post -> DynamoDB stream -> publisher Lambda -> subscribers
# postMessage answered (the author's own message shown): a cold Lambda worker loads the local
# NLP models first, which takes seconds on a loaded 2-core machine; bounded by the function's
# 15 s timeout.
POST_MS = 20000
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert('xss')</script>"

pytestmark = pytest.mark.dynamodb_local


@dataclass
class Api:
    info: dict[str, Any]
    origin: str
    config_served: bool
    passwords: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path) -> Iterator[Api]:
    existing = os.environ.get("BROWSER_TESTS_RUNTIME")
    runtime: RuntimeProcess | None = None
    if existing:
        info = json.loads(Path(existing).read_text(encoding="utf-8"))
    else:
        reason = missing_requirements(REPO / ".cache" / "dynamodb-local")
        if reason:
            pytest.skip(f"DynamoDB Local unavailable: {reason}")
        runtime = RuntimeProcess(tmp_path_factory.mktemp("browser-runtime") / "state",
                                 extra_args=["--static", str(REPO / "client" / "web")])
        info = runtime.start()
    origin = info["graphqlUrl"].rsplit("/graphql", 1)[0]
    try:
        with urllib.request.urlopen(f"{origin}/config.json", timeout=10) as response:
            served = response.status == 200
    except urllib.error.HTTPError:
        served = False
    try:
        yield Api(info, origin, served, {u["username"]: u["password"] for u in info["users"]})
    finally:
        if runtime is not None:
            runtime.stop()


@dataclass
class Person:
    name: str
    page: Any
    dialogs: list[str]
    errors: list[str]


@pytest.fixture
def people(browser: Any, api: Api, request: pytest.FixtureRequest,
           output_dir: Path) -> Iterator[dict[str, Person]]:
    contexts = []
    people: dict[str, Person] = {}
    for name in ("alice", "bob"):
        context = browser.new_context(viewport={"width": 1280, "height": 860})
        if not api.config_served:
            # The runtime does not serve /config.json (yet): give the page the same content.
            body = json.dumps(from_runtime(api.info))
            context.route("**/config.json", lambda route, _request: route.fulfill(
                status=200, content_type="application/json", body=body))
        page = context.new_page()
        person = Person(name, page, [], [])
        page.on("dialog", lambda d, p=person: (p.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e, p=person: p.errors.append(str(e)))
        page.on("console", lambda m, p=person: m.type == "error" and p.errors.append(
            f"{m.text} ({m.location.get('url', '')})"))
        contexts.append(context)
        people[name] = person
    yield people
    if failed(request):
        for person in people.values():
            name = f"FAILED-{request.node.name}-{person.name}"
            person.page.screenshot(path=str(output_dir / f"{name}.png"), full_page=True)
    for context in contexts:
        context.close()


def expect(locator: Any) -> Any:
    from playwright.sync_api import expect as pw_expect

    return pw_expect(locator)


def sign_in(api: Api, person: Person) -> None:
    page = person.page
    page.goto(f"{api.origin}/")
    page.get_by_label("Username").fill(person.name)
    page.get_by_label("Password").fill(api.passwords[person.name])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {person.name}")).to_be_visible()
    expect(page.locator("#connection")).to_have_text(re.compile("Live"), timeout=LIVE_MS)


def create_room(person: Person, name: str, visibility: str = "PUBLIC", language: str = "en") -> str:
    page = person.page
    page.get_by_text("New room", exact=True).click()
    page.get_by_label("Room name").fill(name)
    page.get_by_label("Who can join").select_option(visibility)
    page.get_by_label("Your reading language").select_option(language)
    page.get_by_role("button", name="Create room").click()
    expect(page.locator("#room-title .room-name")).to_have_text(name)
    page.wait_for_url(re.compile(r"#/room/"))
    return str(page.url.split("#/room/")[1])


def open_and_join(person: Person, room_name: str, language: str) -> None:
    page = person.page
    page.locator("#public-rooms .room-link", has_text=room_name).click()
    expect(page.locator("#room-title .room-name")).to_have_text(room_name)
    page.get_by_label("Reading language", exact=True).select_option(language)
    page.locator("#join-button").click()
    expect(page.locator(".member-state")).to_contain_text("You read this room in")
    expect(page.get_by_label("Message", exact=True)).to_be_enabled()


def post(person: Person, text: str) -> None:
    box = person.page.get_by_label("Message", exact=True)
    box.fill(text)
    box.press("Enter")


def message(person: Person, text: str) -> Any:
    return person.page.locator(".messages .message", has=person.page.locator(".text", has_text=text))


def cloud_total(person: Person) -> int:
    counts = person.page.locator("#tag-cloud .cloud-tag").evaluate_all(
        "els => els.map(e => Number(e.dataset.count))")
    return sum(counts)


def shot(person: Person, output_dir: Path, name: str) -> None:
    person.page.screenshot(path=str(output_dir / f"{name}.png"), full_page=True)


def no_trouble(*people: Person) -> None:
    for p in people:
        assert p.dialogs == [], f"{p.name}: a dialog opened: {p.dialogs}"
        assert p.errors == [], f"{p.name}: page errors: {p.errors}"


# -- tests -------------------------------------------------------------------------------


def test_two_people_chat_live(api: Api, people: dict[str, Person], output_dir: Path) -> None:
    alice, bob = people["alice"], people["bob"]
    room = f"Garden club {uuid.uuid4().hex[:6]}"
    sign_in(api, alice)
    create_room(alice, room)
    sign_in(api, bob)
    open_and_join(bob, room, "fr")

    post(alice, "Good morning everyone, the tomatoes in our garden look wonderful!")
    expect(message(alice, "the tomatoes in our garden")).to_be_visible(timeout=POST_MS)
    seen = message(bob, "the tomatoes in our garden")
    expect(seen).to_be_visible(timeout=LIVE_MS)
    # Bob reads French; offline there is no translation: the original, with a note.
    expect(seen.locator(".note")).to_contain_text("Not translated")

    post(bob, "Thank you Alice, I would love to help with the watering this week.")
    expect(message(alice, "help with the watering")).to_be_visible(timeout=LIVE_MS)
    expect(message(alice, "help with the watering").locator(".author")).to_have_text("bob")
    shot(alice, output_dir, "chat-alice")
    shot(bob, output_dir, "chat-bob")
    no_trouble(alice, bob)


def test_negative_message_is_explained_kindly_and_reaches_nobody(
        api: Api, people: dict[str, Person], output_dir: Path) -> None:
    alice, bob = people["alice"], people["bob"]
    room = f"Kindness {uuid.uuid4().hex[:6]}"
    sign_in(api, alice)
    create_room(alice, room)
    sign_in(api, bob)
    open_and_join(bob, room, "en")

    negative = "You are a stupid idiot and I hate you"
    post(alice, negative)
    notice = alice.page.locator("#composer-notice.rejection")
    expect(notice).to_be_visible(timeout=LIVE_MS)
    expect(notice.locator(".notice-title")).to_contain_text("Not sent")
    expect(notice.locator(".rejection-message")).not_to_be_empty()
    expect(notice.locator(".rejection-hint")).to_contain_text("Tip:")
    expect(alice.page.get_by_label("Message", exact=True)).to_have_value(negative)  # kept to rephrase
    shot(alice, output_dir, "rejection-alice")

    post(alice, "Sorry, let me say it better: I would like us to find a calm solution together.")
    expect(message(bob, "find a calm solution together")).to_be_visible(timeout=LIVE_MS)
    expect(alice.page.locator("#composer-notice")).to_be_empty()
    for person in (alice, bob):
        assert person.page.locator(".messages", has_text="stupid idiot").count() == 0
    no_trouble(alice, bob)


def test_tag_cloud_grows_live_and_filters_messages(
        api: Api, people: dict[str, Person], output_dir: Path) -> None:
    alice, bob = people["alice"], people["bob"]
    room = f"Cooking {uuid.uuid4().hex[:6]}"
    sign_in(api, alice)
    create_room(alice, room)
    sign_in(api, bob)
    open_and_join(bob, room, "en")
    expect(bob.page.locator("#tag-cloud")).to_contain_text("Tags appear as people talk")

    post(alice, "I baked a delicious chocolate cake with fresh strawberries today.")
    expect(bob.page.locator("#tag-cloud .cloud-tag").first).to_be_visible(timeout=LIVE_MS)
    first_total = cloud_total(bob)
    assert first_total > 0

    post(bob, "Chocolate cake with strawberries sounds delicious, please share the recipe!")
    post_more = "The chocolate cake recipe needs good chocolate and ripe strawberries."
    expect(message(bob, "Chocolate cake with strawberries")).to_be_visible(timeout=LIVE_MS)
    post(alice, post_more)
    bob.page.wait_for_function(
        """(before) => [...document.querySelectorAll('#tag-cloud .cloud-tag')]
             .reduce((n, e) => n + Number(e.dataset.count), 0) > before""",
        arg=first_total, timeout=LIVE_MS)
    assert cloud_total(bob) > first_total

    # Font size grows with the count.
    sizes = bob.page.locator("#tag-cloud .cloud-tag").evaluate_all(
        "els => els.map(e => [Number(e.dataset.count), parseFloat(getComputedStyle(e).fontSize)])")
    biggest = max(sizes)
    assert all(size <= biggest[1] for count, size in sizes if count <= biggest[0])
    shot(bob, output_dir, "tag-cloud-bob")

    # Click the most frequent tag: only messages carrying it remain.
    top = bob.page.locator("#tag-cloud .cloud-tag").evaluate_all(
        "els => els.sort((a, b) => b.dataset.count - a.dataset.count)[0].dataset.tag")
    bob.page.locator(f'#tag-cloud .cloud-tag[data-tag="{top}"]').click()
    expect(bob.page.locator(".filter-bar")).to_contain_text(top)
    shown = bob.page.locator(".messages .message")
    expect(shown.first).to_be_visible()
    for i in range(shown.count()):
        chip = re.compile(f"^#{re.escape(top)}$")
        expect(shown.nth(i).locator(".tag-chip", has_text=chip)).to_have_count(1)
    shot(bob, output_dir, "tag-filter-bob")
    bob.page.locator("#clear-filter").click()
    expect(bob.page.locator(".filter-bar")).to_be_hidden()
    no_trouble(alice, bob)


def test_xss_payloads_render_as_text(api: Api, people: dict[str, Person], output_dir: Path) -> None:
    alice, bob = people["alice"], people["bob"]
    room = f"{XSS_IMG}{XSS_SCRIPT} room {uuid.uuid4().hex[:6]}"
    text = f"Hello friends {XSS_IMG} and {XSS_SCRIPT} have a nice day"
    sign_in(api, alice)
    create_room(alice, room)
    sign_in(api, bob)
    open_and_join(bob, room, "en")
    post(alice, text)
    for person in (alice, bob):
        page = person.page
        expect(message(person, "Hello friends")).to_be_visible(timeout=LIVE_MS)
        assert message(person, "Hello friends").locator(".text").text_content() == text
        assert page.locator("#room-title .room-name").text_content() == room
        assert page.locator(".room-link .room-name", has_text="onerror").first.text_content() == room
        assert page.locator("main img").count() == 0
        assert page.evaluate("document.querySelectorAll('body script').length") == 0
    page = bob.page
    page.wait_for_timeout(500)  # an onerror would have fired by now
    shot(bob, output_dir, "xss-as-text-bob")
    no_trouble(alice, bob)


def test_messages_missed_while_offline_are_filled_in_after_reconnecting(
        api: Api, people: dict[str, Person], output_dir: Path) -> None:
    alice, bob = people["alice"], people["bob"]
    # Bob's WebSockets go through Playwright, so the test can cut them and refuse new ones.
    live: list[tuple[Any, Any]] = []
    offline = {"on": False}

    def route(ws: Any) -> None:
        if offline["on"]:
            ws.close(code=1011, reason="test: offline")
            return
        live.append((ws, ws.connect_to_server()))

    bob.page.route_web_socket(re.compile(r"/graphql"), route)
    alice_frames: list[str] = []
    alice.page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: alice_frames.append(str(payload))))
    room = f"Reconnect {uuid.uuid4().hex[:6]}"
    sign_in(api, alice)
    create_room(alice, room)
    sign_in(api, bob)
    open_and_join(bob, room, "en")
    post(alice, "Welcome everyone, lovely to see you here.")
    expect(message(bob, "lovely to see you here")).to_be_visible(timeout=LIVE_MS)

    offline["on"] = True
    for page_side, server_side in live:
        server_side.close()
        page_side.close(code=1011, reason="test: connection lost")
    expect(bob.page.locator("#connection")).to_contain_text("Offline", timeout=LIVE_MS)

    post(alice, "While you were away we planted sunflowers together.")
    expect(message(alice, "planted sunflowers")).to_be_visible(timeout=POST_MS)
    # Wait until the push went out (Alice's socket got it): Bob had no subscription then,
    # so only the gap-fill (syncMessages) can bring it to him.
    for _ in range(LIVE_MS // 100):
        if any("planted sunflowers" in f for f in alice_frames):
            break
        alice.page.wait_for_timeout(100)
    else:
        pytest.fail("the message was never pushed to Alice's subscription")
    assert message(bob, "planted sunflowers").count() == 0

    offline["on"] = False
    bob.page.locator("#connection").get_by_role("button", name="Retry now").click()
    expect(bob.page.locator("#connection")).to_have_text(re.compile("Live"), timeout=LIVE_MS)
    expect(message(bob, "planted sunflowers")).to_be_visible(timeout=LIVE_MS)  # syncMessages
    expect(bob.page.locator(".messages .message")).to_have_count(2)  # nothing twice
    post(alice, "And the sunflowers are already growing nicely.")
    expect(message(bob, "already growing nicely")).to_be_visible(timeout=LIVE_MS)
    shot(bob, output_dir, "reconnect-gap-filled-bob")
    no_trouble(alice, bob)


def test_cognito_sign_in_refresh_and_wrong_password(api: Api, people: dict[str, Person]) -> None:
    """auth.js against the runtime's Cognito (moto's server; the same JSON API as AWS)."""
    page = people["alice"].page
    page.goto(f"{api.origin}/")
    page.get_by_label("Username").wait_for()
    result = page.evaluate("""async ({pool, region, password}) => {
      const { CognitoAuth, decodeJwt } = await import('./js/auth.js');
      const auth = new CognitoAuth(pool, region);
      let wrong;
      try { await auth.signIn('alice', 'not-the-password'); } catch (e) { wrong = [e.name, e.code, e.message]; }
      const user = await auth.signIn('alice', password);
      const first = auth.session.idToken;
      await new Promise((r) => setTimeout(r, 1100));  // a new iat
      const refreshed = await auth.idToken(true);
      const stored = JSON.parse(sessionStorage.getItem('positive-chat.session'));
      auth.signOut();
      return {wrong, user, changed: first !== refreshed, use: decodeJwt(refreshed).token_use,
              keptRefresh: Boolean(stored.refreshToken), cleared: sessionStorage.length === 0};
    }""", {"pool": from_runtime(api.info)["userPool"], "region": api.info["region"],
           "password": api.passwords["alice"]})
    assert result["wrong"] == ["AuthError", "NotAuthorizedException", "Wrong username or password."]
    assert result["user"]["username"] == "alice"
    assert result["changed"] and result["use"] == "id" and result["keptRefresh"]
    assert result["cleared"]


def test_room_analytics_from_real_counters(api: Api, people: dict[str, Person],
                                           output_dir: Path) -> None:
    """The analytics page against the real resolvers: the counters the posts just moved."""
    alice = people["alice"]
    page = alice.page
    room = f"Analytics {uuid.uuid4().hex[:6]}"
    sign_in(api, alice)
    room_id = create_room(alice, room)
    post(alice, "I baked a delicious chocolate cake with fresh strawberries today.")
    expect(message(alice, "chocolate cake")).to_be_visible(timeout=LIVE_MS)
    post(alice, "The chocolate cake recipe needs good chocolate and ripe strawberries.")
    expect(message(alice, "cake recipe")).to_be_visible(timeout=LIVE_MS)
    post(alice, "You are a stupid idiot and I hate you")
    expect(page.locator("#composer-notice.rejection")).to_be_visible(timeout=LIVE_MS)
    # The tag cloud (another counter) says which tags the two posts carry.
    page.wait_for_function(
        """() => [...document.querySelectorAll('#tag-cloud .cloud-tag')]
             .some((e) => Number(e.dataset.count) >= 2)""", timeout=LIVE_MS)
    cloud = page.locator("#tag-cloud .cloud-tag").evaluate_all(
        "els => els.map(e => [e.dataset.tag, Number(e.dataset.count)])")
    expected = sorted(cloud, key=lambda tc: (-tc[1], tc[0]))[:20]

    page.get_by_role("link", name="Room analytics").click()
    expect(page.locator("#analytics-room")).to_have_value(room_id)
    bars = page.locator("#top-tags-chart g.bar")
    expect(bars).to_have_count(len(expected), timeout=LIVE_MS)
    shown = bars.evaluate_all(
        "els => els.map(e => [e.getAttribute('data-label'), Number(e.getAttribute('data-value'))])")
    assert shown == expected
    stats = page.locator("#room-stats")
    expect(stats.locator('[data-figure="accepted"] dd')).to_have_text("2", timeout=LIVE_MS)
    expect(stats.locator('[data-figure="rejected"] dd')).to_have_text("1")
    expect(stats.locator('[data-figure="deleted"] dd')).to_have_text("0")
    expect(stats.locator('[data-figure="activeAuthors"] dd')).to_have_text("1")

    top_tag, top_count = expected[0]
    bars.first.click()
    buckets = page.locator("#trend-chart rect.bucket")
    expect(buckets).to_have_count(7 * 24, timeout=LIVE_MS)
    counts = buckets.evaluate_all("els => els.map(e => Number(e.getAttribute('data-count')))")
    assert sum(counts) == top_count and not any(counts[:-2])  # posted this hour (or the last)
    expect(page.locator("#tag-trend-title")).to_have_text(f"Trend of “{top_tag}”")
    shot(alice, output_dir, "analytics-real-room")

    # Alice is not an analyst: the server refuses all rooms, and the page says why.
    page.locator("#analytics-room").select_option("")
    expect(page.locator("#top-tags-error")).to_contain_text("need the “analysts” group",
                                                            timeout=LIVE_MS)
    expect(page.locator("#tag-trend-error")).to_contain_text("need the “analysts” group")
    no_trouble(alice)
