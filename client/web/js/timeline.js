// One room's messages as this client knows them, whatever the source (history page,
// live event, own post, gap-fill sync). Deduplicated by (id, _version): a version is
// applied once, an older or equal one is ignored, so overlapping sources are harmless.

// Re-read this much before the newest change seen when filling a gap: stream delivery
// is not strictly ordered by _lastChangedAt across messages.
export const SYNC_OVERLAP_MS = 5000;

export class Timeline {
  constructor() {
    this.byId = new Map();
    this.watermark = null; // newest _lastChangedAt (server ms) seen, or a sync's startedAt
  }

  /** Apply one message version. Returns true if it changed what we show. */
  apply(message) {
    if (!message || !message.id) return false;
    if (Number.isFinite(message._lastChangedAt)) this.advance(message._lastChangedAt);
    const known = this.byId.get(message.id);
    if (known && known._version >= message._version) return false;
    this.byId.set(message.id, message);
    return true;
  }

  advance(serverMs) {
    if (this.watermark === null || serverMs > this.watermark) this.watermark = serverMs;
  }

  /** What to pass to syncMessages as lastSync (null: everything, for a room seen empty). */
  lastSync() {
    return this.watermark === null ? null : Math.max(0, this.watermark - SYNC_OVERLAP_MS);
  }

  /** Messages oldest first (ids are ULIDs: time-sortable as strings). */
  sorted() {
    return [...this.byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}

/**
 * Fill a gap after a reconnect: every change since the timeline's watermark, all pages.
 * `request` is GraphQLClient.request. Returns the number of changed messages.
 */
export async function catchUp(request, query, roomId, timeline, { pageSize = 100, maxPages = 50 } = {}) {
  let nextToken = null;
  let changed = 0;
  const lastSync = timeline.lastSync();
  let startedAt = null;
  for (let page = 0; page < maxPages; page += 1) {
    const { syncMessages } = await request(query, { roomId, lastSync, limit: pageSize, nextToken });
    if (startedAt === null) startedAt = syncMessages.startedAt;
    for (const message of syncMessages.items) if (timeline.apply(message)) changed += 1;
    nextToken = syncMessages.nextToken;
    if (!nextToken) {
      // Everything up to startedAt is in; later changes arrive on the live subscription.
      if (Number.isFinite(startedAt)) timeline.advance(startedAt);
      break;
    }
  }
  return changed;
}
