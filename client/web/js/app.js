// Wiring: config -> sign-in -> rooms -> one open room (history, live messages, tag cloud),
// or the analytics page (#/analytics).
import { createAnalyticsPage } from "./analytics.js";
import { CognitoAuth } from "./auth.js";
import { ConfigError, loadConfig } from "./config.js";
import { GraphQLClient } from "./graphql.js";
import { browserLanguage } from "./language.js";
import * as ops from "./operations.js";
import { RealtimeClient } from "./realtime.js";
import { Timeline, catchUp } from "./timeline.js";
import { h, replace } from "./ui/dom.js";
import { createRoomList } from "./ui/rooms.js";
import { createRoomView } from "./ui/room.js";
import { createSignIn } from "./ui/signin.js";
import { createStatus } from "./ui/status.js";

const PAGE = 30;
const HISTORY_PAGE = 50;
const LANGUAGE_KEY = "positive-chat.reading-language"; // localStorage: {"<sub>/<roomId>": "fr"}

const $ = (id) => document.getElementById(id);

const state = {
  config: null,
  auth: null,
  api: null,
  realtime: null,
  user: null,
  profile: null,
  rooms: new Map(),
  mine: new Set(),
  roomList: null,
  open: null, // the open room: {id, room, view, timeline, subs, filter, olderToken, language, member}
  analytics: null, // the analytics page, built on first visit
  routed: null, // the location.hash last shown by route()
};

// -- start ----------------------------------------------------------------------------

async function main() {
  try {
    state.config = await loadConfig();
  } catch (err) {
    fatal(err instanceof ConfigError ? err.message : `Cannot start: ${err.message}`);
    return;
  }
  state.auth = new CognitoAuth(state.config.userPool, state.config.region);
  const authorization = async (force) => ({ Authorization: await state.auth.idToken(force) });
  state.api = new GraphQLClient(state.config.graphqlUrl, authorization);
  const status = createStatus({ onRetry: () => state.realtime.reconnectNow() });
  $("status-slot").append(status.element);
  state.realtime = new RealtimeClient({
    realtimeUrl: state.config.realtimeUrl,
    graphqlUrl: state.config.graphqlUrl,
    getAuthorization: authorization,
    onStatus: status.show,
  });
  if (state.auth.session) await enter();
  else showSignIn();
}

function fatal(message) {
  const box = $("fatal");
  replace(box, message);
  box.hidden = false;
}

function showSignIn() {
  const form = createSignIn({
    onSubmit: async (username, password) => {
      await state.auth.signIn(username, password);
      $("signin").hidden = true;
      await enter();
    },
  });
  replace($("signin"), form.element);
  $("signin").hidden = false;
  form.focus();
}

async function enter() {
  state.user = state.auth.user;
  replace(
    $("account"),
    h("span", { class: "who", text: `Signed in as ${state.user.username}` }),
    h("button", { type: "button", class: "link", id: "sign-out", text: "Sign out", onclick: signOut }),
  );
  try {
    state.profile = (await request(ops.ME)).me;
  } catch (err) {
    if (!state.auth.session) return showSignIn(); // refresh token no longer valid
    fatal(`Cannot load your profile: ${err.message}`);
    return;
  }
  state.roomList = createRoomList({
    onOpen: (id) => (location.hash = `#/room/${encodeURIComponent(id)}`),
    onCreate: createRoom,
    defaultLanguage: state.profile.preferredLanguage || browserLanguage(),
  });
  replace($("rooms-slot"), state.roomList.element);
  $("topnav").hidden = false;
  await loadRooms();
  state.realtime.subscribe(
    { query: ops.ON_ROOM_CREATED, variables: {} },
    {
      next: ({ data }) => {
        if (data?.onRoomCreated) addRooms([data.onRoomCreated]);
      },
    },
  );
  window.addEventListener("hashchange", onHashChange); // the same function: added once
  route();
}

// A hash set while starting up is shown by main()'s route(); its hashchange event, dispatched
// later, must not show (and load) the same page a second time.
function onHashChange() {
  if (location.hash !== state.routed) route();
}

function signOut() {
  state.realtime.close();
  state.auth.signOut();
  location.hash = "";
  location.reload();
}

async function request(query, variables) {
  return state.api.request(query, variables);
}

// -- rooms ----------------------------------------------------------------------------

async function loadRooms() {
  const [pub, mine] = await Promise.all([
    request(ops.ROOMS, { scope: "PUBLIC", limit: 100 }),
    request(ops.ROOMS, { scope: "MINE", limit: 100 }),
  ]);
  for (const room of mine.rooms.items) state.mine.add(room.id);
  addRooms([...pub.rooms.items, ...mine.rooms.items]);
}

function addRooms(rooms) {
  for (const room of rooms) state.rooms.set(room.id, room);
  const ordered = [...state.rooms.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  state.roomList.render(ordered, state.mine);
  if (state.open) state.roomList.setActive(state.open.id);
}

async function createRoom(input) {
  const { createRoom: room } = await request(ops.CREATE_ROOM, { input });
  state.mine.add(room.id);
  rememberLanguage(room.id, input.language);
  addRooms([room]);
  location.hash = `#/room/${encodeURIComponent(room.id)}`;
}

function route() {
  state.routed = location.hash;
  const analytics = /^#\/analytics(?:\?(.*))?$/.exec(location.hash);
  showPage(analytics ? "analytics" : "chat");
  if (analytics) return showAnalytics(new URLSearchParams(analytics[1] || ""));
  const match = /^#\/room\/(.+)$/.exec(location.hash);
  if (match) openRoom(decodeURIComponent(match[1]));
  else showNoRoom();
}

function showPage(page) {
  $("app").hidden = page !== "chat";
  $("analytics-slot").hidden = page !== "analytics";
  for (const [id, name] of [["nav-chat", "chat"], ["nav-analytics", "analytics"]]) {
    if (name === page) $(id).setAttribute("aria-current", "page");
    else $(id).removeAttribute("aria-current");
  }
}

function showAnalytics(params) {
  closeRoom();
  state.roomList.setActive(null);
  if (!state.analytics) {
    state.analytics = createAnalyticsPage({
      request,
      rooms: () => [...state.rooms.values()].map((r) => ({ id: r.id, name: r.name, mine: state.mine.has(r.id) })),
      isAnalyst: (state.user.groups || []).includes("analysts"),
    });
    replace($("analytics-slot"), state.analytics.element);
  }
  document.title = "Analytics · Positive Chat";
  state.analytics.show({ roomId: params.get("room") });
}

function showNoRoom() {
  closeRoom();
  document.title = "Positive Chat";
  replace($("room-slot"), h("p", { class: "placeholder", text: "Pick a room on the left, or create one." }));
}

// -- reading languages (which language this user reads each room in) -----------------------

function languages() {
  try {
    return JSON.parse(localStorage.getItem(LANGUAGE_KEY) || "{}");
  } catch {
    return {};
  }
}

function rememberLanguage(roomId, language) {
  const all = languages();
  all[`${state.user.sub}/${roomId}`] = language;
  localStorage.setItem(LANGUAGE_KEY, JSON.stringify(all));
}

function readingLanguage(roomId) {
  return languages()[`${state.user.sub}/${roomId}`] || state.profile.preferredLanguage || browserLanguage();
}

// -- one room -----------------------------------------------------------------------------

function closeRoom() {
  if (!state.open) return;
  for (const sub of state.open.subs) sub.unsubscribe();
  state.open = null;
}

async function openRoom(roomId) {
  if (state.open?.id === roomId) return;
  closeRoom();
  let room = state.rooms.get(roomId);
  if (!room) {
    try {
      room = (await request(ops.ROOM_QUERY, { id: roomId })).room;
    } catch (err) {
      replace($("room-slot"), h("p", { class: "error", role: "alert", text: `Cannot open this room: ${err.message}` }));
      return;
    }
    if (!room) return showNoRoom();
    addRooms([room]);
  }
  const open = {
    id: roomId,
    room,
    timeline: new Timeline(),
    subs: [],
    filter: null,
    olderToken: null,
    language: readingLanguage(roomId),
    member: state.mine.has(roomId),
  };
  state.open = open;
  state.roomList.setActive(roomId);
  $("nav-chat").setAttribute("href", `#/room/${encodeURIComponent(roomId)}`);
  open.view = createRoomView({
    room,
    isOwner: room.owner.id === state.user.sub,
    onJoin: (language) => join(open, language),
    onSend: (text) => send(open, text),
    onTag: (tag) => filterByTag(open, tag),
    onClearTag: () => clearFilter(open),
    onInvite: (username) => request(ops.INVITE, { roomId, username }),
    onLoadOlder: () => loadOlder(open),
  });
  open.view.setMembership(open.member, open.language);
  replace($("room-slot"), open.view.element);
  document.title = `${room.name} · Positive Chat`;

  const history = loadHistory(open);
  open.subs.push(
    state.realtime.subscribe(
      { query: ops.ON_MESSAGE, variables: { roomId } },
      {
        next: ({ data, errors }) => {
          if (data?.onMessage) applyMessages(open, [data.onMessage]);
          else if (errors) console.warn("onMessage", errors);
        },
        // Live from here on; whatever happened before (first open, or while disconnected)
        // comes from syncMessages since the newest change we know.
        started: async () => {
          await history.catch(() => {});
          if (state.open !== open) return;
          try {
            await catchUp(request, ops.SYNC_MESSAGES, roomId, open.timeline);
            renderMessages(open);
          } catch (err) {
            open.view.showError(`Could not catch up on missed messages: ${err.message}`);
          }
        },
        error: (errors) => open.view.showError(`Live updates stopped: ${errors.map((e) => e.message).join("; ")}`),
      },
    ),
    state.realtime.subscribe(
      { query: ops.ON_TAG_CLOUD, variables: { roomId } },
      {
        next: ({ data }) => {
          if (data?.onTagCloud) renderCloud(open, data.onTagCloud.tags);
        },
        started: () => loadCloud(open),
      },
    ),
  );
}

async function loadHistory(open) {
  try {
    const { messages } = await request(ops.MESSAGES, { roomId: open.id, limit: HISTORY_PAGE });
    if (state.open !== open) return;
    open.olderToken = messages.nextToken;
    open.view.setOlder(Boolean(messages.nextToken));
    applyMessages(open, messages.items);
    open.view.messages.scrollToEnd();
  } catch (err) {
    if (state.open === open) open.view.showError(`Cannot load messages: ${err.message}`);
    throw err;
  }
}

async function loadOlder(open) {
  if (!open.olderToken) return;
  const { messages } = await request(ops.MESSAGES, { roomId: open.id, limit: HISTORY_PAGE, nextToken: open.olderToken });
  open.olderToken = messages.nextToken;
  open.view.setOlder(Boolean(messages.nextToken));
  applyMessages(open, messages.items);
}

async function loadCloud(open) {
  try {
    const { tagCloud } = await request(ops.TAG_CLOUD_QUERY, { roomId: open.id, limit: PAGE });
    if (state.open === open) renderCloud(open, tagCloud?.tags || []);
  } catch (err) {
    if (state.open === open) open.view.showError(`Cannot load the tag cloud: ${err.message}`);
  }
}

function renderCloud(open, tags) {
  open.tags = tags;
  open.view.cloud.render(tags, open.filter?.tag);
}

function applyMessages(open, messages) {
  let changed = false;
  for (const message of messages) {
    if (message.roomId !== open.id) continue;
    if (open.timeline.apply(message)) changed = true;
    if (open.filter && message.tags.includes(open.filter.tag)) open.filter.ids.add(message.id);
  }
  if (changed) renderMessages(open);
}

function renderMessages(open) {
  let list = open.timeline.sorted();
  let empty;
  if (open.filter) {
    list = list.filter((m) => open.filter.ids.has(m.id) && !m._deleted);
    empty = `No messages tagged “${open.filter.tag}”.`;
  }
  open.view.messages.render(list, open.language, state.user.sub, empty);
}

async function join(open, language) {
  try {
    const { joinRoom } = await request(ops.JOIN_ROOM, { roomId: open.id, language });
    open.member = true;
    open.language = joinRoom.language;
    state.mine.add(open.id);
    rememberLanguage(open.id, joinRoom.language);
    addRooms([]);
    open.view.setMembership(true, joinRoom.language);
    open.view.showError("");
    renderMessages(open);
    open.view.composer.focus();
  } catch (err) {
    open.view.showError(`Cannot join: ${err.message}`);
    return;
  }
  try {
    const { room } = await request(ops.ROOM_QUERY, { id: open.id });
    if (room && state.open === open) {
      open.room = room;
      open.view.setRoom(room);
      addRooms([room]);
    }
  } catch {
    /* the member count is cosmetic */
  }
}

async function send(open, text) {
  const input = { roomId: open.id, text, clientId: crypto.randomUUID() };
  let result;
  for (let attempt = 0; ; attempt += 1) {
    try {
      result = (await request(ops.POST_MESSAGE, { input })).postMessage;
      break;
    } catch (err) {
      // A network failure may hide a success: retrying with the same clientId never duplicates.
      if (err.errorType === "NetworkError" && attempt < 2) {
        await new Promise((resolve) => setTimeout(resolve, 1000 * (attempt + 1)));
        continue;
      }
      open.view.composer.showError(`Not sent: ${err.message}`);
      return;
    }
  }
  if (result.status === "REJECTED") {
    open.view.composer.showRejection(result.rejection);
    return;
  }
  open.view.composer.clear();
  applyMessages(open, [result.message]);
  open.view.messages.scrollToEnd();
}

async function filterByTag(open, tag) {
  try {
    const { messagesByTag } = await request(ops.MESSAGES_BY_TAG, { tag, roomId: open.id, limit: HISTORY_PAGE });
    if (state.open !== open) return;
    open.filter = { tag, ids: new Set(messagesByTag.items.map((m) => m.id)) };
    for (const m of messagesByTag.items) open.timeline.apply(m);
    open.view.setFilter(tag);
    open.view.cloud.render(open.tags || [], tag);
    renderMessages(open);
    document.getElementById("clear-filter")?.focus();
  } catch (err) {
    open.view.showError(`Cannot filter by ${tag}: ${err.message}`);
  }
}

function clearFilter(open) {
  open.filter = null;
  open.view.setFilter(null);
  open.view.cloud.render(open.tags || [], null);
  renderMessages(open);
  open.view.composer.focus();
}

main();
