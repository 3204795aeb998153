// Analytics windows: presets, UTC alignment and the schema's limits, checked before any
// request is sent. The rules mirror the resolvers (schema.graphql, "Limits"): a window is
// [from, to), widened to whole buckets (from rounded down, to rounded up); its length is the
// number of UTC days the widened window touches.

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Days a window may span: tagTrends per granularity; topTags and roomStats (whole days). */
export const LIMITS = Object.freeze({ HOUR: 31, DAY: 366, daily: 92 });

export const PRESETS = Object.freeze({
  "24h": { label: "Last 24 hours", span: DAY_MS, granularity: "HOUR" },
  "7d": { label: "Last 7 days", span: 7 * DAY_MS, granularity: "HOUR" },
  "30d": { label: "Last 30 days", span: 30 * DAY_MS, granularity: "DAY" },
  "90d": { label: "Last 90 days", span: 90 * DAY_MS, granularity: "DAY" },
});

const BUCKET_MS = { HOUR: HOUR_MS, DAY: DAY_MS };

/** {from, to, granularity} (ms) of a preset: ends with the current hour or day, included. */
export function presetWindow(name, now = Date.now()) {
  const preset = PRESETS[name];
  if (!preset) throw new RangeError(`unknown preset ${name}`);
  const bucket = BUCKET_MS[preset.granularity];
  const to = Math.floor(now / bucket) * bucket + bucket;
  return { from: to - preset.span, to, granularity: preset.granularity };
}

/** [start, end) widened to whole buckets of `bucketMs`. */
export function aligned(from, to, bucketMs) {
  return { start: from - mod(from, bucketMs), end: Math.ceil(to / bucketMs) * bucketMs };
}

/** How many UTC days the window, widened to `bucketMs`, touches (the resolvers' count). */
export function spannedDays(from, to, bucketMs) {
  const { start, end } = aligned(from, to, bucketMs);
  return Math.floor((end - 1) / DAY_MS) - Math.floor(start / DAY_MS) + 1;
}

/** Number of buckets a tag trend of this window has. */
export function bucketCount(from, to, granularity) {
  const bucket = BUCKET_MS[granularity];
  const { start, end } = aligned(from, to, bucket);
  return (end - start) / bucket;
}

/**
 * What may be asked for this window.
 * Returns {error, trend, daily}: `error` when nothing can be asked (bad dates); `trend`
 * when tagTrends would be refused at this granularity; `daily` when topTags/roomStats
 * would be (each a sentence for the reader, or null).
 */
export function checkWindow(from, to, granularity) {
  const result = { error: null, trend: null, daily: null, trendDays: 0, dailyDays: 0 };
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    result.error = "Choose both a start and an end.";
    return result;
  }
  if (from < 0 || to > Date.UTC(9999, 11, 31)) {
    result.error = "Dates must lie between 1970 and 9999.";
    return result;
  }
  if (from >= to) {
    result.error = "The start must be before the end.";
    return result;
  }
  if (!(granularity in BUCKET_MS)) {
    result.error = "Choose hourly or daily buckets.";
    return result;
  }
  result.trendDays = spannedDays(from, to, BUCKET_MS[granularity]);
  result.dailyDays = spannedDays(from, to, DAY_MS);
  const max = LIMITS[granularity];
  if (result.trendDays > max) {
    result.trend =
      `${granularity === "HOUR" ? "Hourly" : "Daily"} trends cover at most ${max} days; ` +
      `this window spans ${result.trendDays}.` +
      (granularity === "HOUR" && result.trendDays <= LIMITS.DAY ? " Choose daily buckets or a shorter window." : " Choose a shorter window.");
  }
  if (result.dailyDays > LIMITS.daily) {
    result.daily =
      `Top tags and room statistics cover at most ${LIMITS.daily} days; this window spans ${result.dailyDays}.`;
  }
  return result;
}

/** AWSDateTime without milliseconds: 2025-10-01T14:00:00Z. */
export function toAwsDateTime(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The value of an <input type="datetime-local"> read as UTC ("2025-10-01T14:00"); NaN if empty. */
export function fromInputValue(value) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value || "")) return NaN;
  return Date.parse(`${value.length === 16 ? `${value}:00` : value}Z`);
}

export function toInputValue(ms) {
  return new Date(ms).toISOString().slice(0, 16);
}

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const pad = (n) => String(n).padStart(2, "0");
const clock = (d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;

/** Short axis label of a bucket start: "1 Oct" or "1 Oct 14:00" (UTC). */
export function shortLabel(ms, granularity) {
  const d = new Date(ms);
  const day = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
  return granularity === "HOUR" ? `${day} ${clock(d)}` : day;
}

/** Long label of a bucket: "Wed 1 Oct 2025 (UTC)" or "Wed 1 Oct 2025, 14:00–15:00 UTC". */
export function longLabel(ms, granularity) {
  const d = new Date(ms);
  const day = `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  if (granularity !== "HOUR") return `${day} (UTC)`;
  return `${day}, ${clock(d)}–${clock(new Date(ms + HOUR_MS))} UTC`;
}

function mod(a, b) {
  return ((a % b) + b) % b;
}
