// The analytics page (#/analytics): what a window allows (checked before any request,
// js/timewindow.js), the three queries (topTags, tagTrends, roomStats) and what their
// answers mean for the reader: empty, refused (ValidationError, with its limit), not
// allowed (all rooms without the analysts group). Rendering: js/ui/analytics.js.
import * as ops from "./operations.js";
import { DAY_MS, aligned, checkWindow, presetWindow, toAwsDateTime } from "./timewindow.js";
import { createAnalyticsView, windowText } from "./ui/analytics.js";

const TOP_TAGS_LIMIT = 20;
const DEFAULT_PRESET = "7d";

/**
 * request(query, variables) -> data (rejects with GraphQLError);
 * rooms() -> [{id, name, mine}]; isAnalyst: the ID token's cognito:groups has "analysts".
 */
export function createAnalyticsPage({ request, rooms, isAnalyst }) {
  let started = false;
  let shown = null; // the window on screen: {from, to, granularity, roomId}
  let selectedTag = null;
  const generation = { top: 0, trend: 0, stats: 0 }; // answers to older requests are dropped

  const view = createAnalyticsView({
    onSubmit: () => load(),
    onPreset: (name) => {
      view.setWindow(presetWindow(name));
      load();
    },
    onRoomChange: (roomId) => {
      // Shareable address, without a hashchange (which would show the page again).
      history.replaceState(null, "", roomId ? `#/analytics?room=${encodeURIComponent(roomId)}` : "#/analytics");
      load();
    },
    onTag: (tag) => chartTag(tag),
  });

  function load() {
    const v = view.values();
    const check = checkWindow(v.from, v.to, v.granularity);
    view.formError(null);
    // Refused here, before anything is sent: the server would refuse it too.
    if (check.error) return view.formError(check.error);
    if (check.daily && !v.tag) {
      return view.formError(
        `${check.daily} Shorten the window, or type a tag to chart its trend alone (daily buckets: up to 366 days).`,
      );
    }
    if (check.daily && check.trend) return view.formError(`${check.daily} ${check.trend}`);

    shown = { from: v.from, to: v.to, granularity: v.granularity, roomId: v.roomId };
    selectedTag = v.tag || null;
    view.stats.setVisible(Boolean(v.roomId));
    if (check.daily) {
      generation.top += 1;
      generation.stats += 1;
      view.top.message(`${check.daily} The trend below is available.`);
      view.stats.message(check.daily);
    } else {
      loadTopTags();
      if (v.roomId) loadStats();
    }
    if (selectedTag) loadTrend(selectedTag);
    else {
      generation.trend += 1;
      view.trend.title(null);
      view.trend.message(check.trend ? `${check.trend}` : "Click a tag in Top tags, or type one above, to chart its trend.");
    }
  }

  function variables() {
    return { roomId: shown.roomId, from: toAwsDateTime(shown.from), to: toAwsDateTime(shown.to) };
  }

  async function loadTopTags() {
    const gen = ++generation.top;
    view.top.loading("Loading top tags…");
    try {
      const { topTags } = await request(ops.TOP_TAGS, { ...variables(), limit: TOP_TAGS_LIMIT });
      if (gen !== generation.top) return;
      if (!topTags.length) {
        const days = aligned(shown.from, shown.to, DAY_MS);
        view.top.message(`No tagged messages in this window (${windowText(days.start, days.end)}).`);
      } else view.top.render(topTags, selectedTag);
    } catch (err) {
      if (gen === generation.top) view.top.fail(view.problem(explain(err, shown.roomId)));
    }
  }

  async function loadStats() {
    const gen = ++generation.stats;
    view.stats.loading("Loading room activity…");
    try {
      const { roomStats } = await request(ops.ROOM_STATS, variables());
      if (gen !== generation.stats) return;
      if (!roomStats) view.stats.message("This room has no statistics.");
      else view.stats.render(roomStats);
    } catch (err) {
      if (gen === generation.stats) view.stats.fail(view.problem(explain(err, shown.roomId)));
    }
  }

  async function loadTrend(tag) {
    const gen = ++generation.trend;
    view.trend.title(tag);
    const check = checkWindow(shown.from, shown.to, shown.granularity);
    if (check.trend) return view.trend.fail(view.problem({ text: check.trend }));
    view.trend.loading(`Loading the trend of “${tag}”…`);
    try {
      const { tagTrends } = await request(ops.TAG_TRENDS, { tag, granularity: shown.granularity, ...variables() });
      if (gen !== generation.trend) return;
      if (!tagTrends) return view.trend.message(`No trend for “${tag}”.`);
      view.trend.title(tagTrends.tag); // normalised by the server (case-folded, trimmed)
      view.trend.render(tagTrends);
    } catch (err) {
      if (gen === generation.trend) view.trend.fail(view.problem(explain(err, shown.roomId)));
    }
  }

  function chartTag(tag) {
    if (!shown) return;
    selectedTag = tag;
    view.setTag(tag);
    view.top.select(tag);
    loadTrend(tag);
  }

  return {
    element: view.element,
    /** Show the page; roomId (from #/analytics?room=…) selects a room. */
    show({ roomId = null } = {}) {
      const list = rooms();
      let selected = roomId;
      if (!selected) selected = started ? view.values().roomId : defaultRoom(list, isAnalyst);
      if (selected && !list.some((r) => r.id === selected)) list.push({ id: selected, name: selected, mine: false });
      view.setRooms(list, selected, isAnalyst);
      if (!started) {
        view.setWindow(presetWindow(DEFAULT_PRESET));
        started = true;
      }
      load();
    },
  };
}

/** Analysts start with every room; others with their first room (all rooms would be refused). */
function defaultRoom(list, isAnalyst) {
  if (isAnalyst) return null;
  return (list.find((r) => r.mine) || list[0])?.id || null;
}

/** What a failed analytics request means, for the reader: {text, limit?, chooseRoom?}. */
export function explain(err, roomId) {
  switch (err.errorType) {
    case "ValidationError":
      return { text: `The server refused this window: ${err.message}`, limit: err.errorInfo?.limit };
    case "Unauthorized":
    case "UnauthorizedException":
      if (!roomId) {
        return {
          text:
            "Analytics across all rooms need the “analysts” group, and your account is not in it. " +
            "Choose one room in “Room” to see its analytics (any public room, or a private room you belong to).",
          chooseRoom: true,
        };
      }
      return { text: `You may not read this room's analytics: ${err.message}` };
    case "NotFound":
      return { text: "This room does not exist (any more). Choose another room." };
    default:
      return { text: `Could not load: ${err.message}` };
  }
}
