// util.time: AppSync formats and parses with Java's DateTimeFormatter patterns, so this implements
// the commonly used subset of that pattern language (y u M L d D H k K h m s S a E Z X x z V and
// 'quoted' literals) on top of Intl for time zones. Unsupported pattern letters fail loudly rather
// than produce a silently different string.

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

function tokenize(pattern) {
  const tokens = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i];
    if (c === "'") {
      let j = i + 1;
      let text = '';
      while (j < pattern.length) {
        if (pattern[j] === "'" && pattern[j + 1] === "'") { text += "'"; j += 2; continue; }
        if (pattern[j] === "'") break;
        text += pattern[j];
        j += 1;
      }
      tokens.push({ literal: i + 1 === j ? "'" : text });
      i = j + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j += 1;
      if (!'yuMLdDHkKhmsSaEZXxzV'.includes(c)) {
        throw new Error(`util.time: pattern letter '${c}' is not supported by the local runtime`);
      }
      tokens.push({ letter: c, count: j - i });
      i = j;
    } else {
      tokens.push({ literal: c });
      i += 1;
    }
  }
  return tokens;
}

// "+08:00", "-0530", "UTC", "GMT+1", "Z" are fixed offsets (minutes); anything else is an IANA id.
function fixedOffset(zone) {
  if (zone === 'Z' || zone === 'UTC' || zone === 'GMT' || zone === 'UT') return 0;
  const m = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(zone);
  if (!m) return null;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

const formatters = new Map();
function zoneFormatter(zone) {
  let f = formatters.get(zone);
  if (!f) {
    // Throws RangeError for an unknown zone, which surfaces as a code error like on AppSync.
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric',
      hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'short',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Offset of `zone` from UTC, in minutes, at instant `ms`. */
function offsetAt(ms, zone) {
  const fixed = fixedOffset(zone);
  if (fixed !== null) return fixed;
  const parts = Object.fromEntries(zoneFormatter(zone).formatToParts(new Date(ms))
    .map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day),
    Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - (ms - (((ms % 1000) + 1000) % 1000))) / 60000);
}

function zoneShortName(ms, zone) {
  if (fixedOffset(zone) !== null) return zone === 'Z' ? 'UTC' : zone;
  const part = zoneFormatter(zone).formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName');
  return part ? part.value : zone;
}

const pad = (n, width) => String(n).padStart(width, '0');

function offsetText(minutes, { colon, zulu, hoursOnly = false }) {
  if (minutes === 0 && zulu) return 'Z';
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  const hh = pad(Math.floor(abs / 60), 2);
  const mm = pad(abs % 60, 2);
  if (hoursOnly && abs % 60 === 0) return `${sign}${hh}`;
  return colon ? `${sign}${hh}:${mm}` : `${sign}${hh}${mm}`;
}

export function formatEpochMillis(ms, pattern, zone = 'UTC') {
  if (typeof ms !== 'number' || !Number.isFinite(ms)) throw new Error('util.time: invalid epoch');
  const offset = offsetAt(ms, zone);
  const d = new Date(ms + offset * 60000); // read with getUTC* = wall-clock time in `zone`
  const year = d.getUTCFullYear();
  const hour = d.getUTCHours();
  const startOfYear = Date.UTC(year, 0, 1);
  const dayOfYear = Math.floor((Date.UTC(year, d.getUTCMonth(), d.getUTCDate()) - startOfYear) / 864e5) + 1;
  let out = '';
  for (const t of tokenize(pattern)) {
    if (t.literal !== undefined) { out += t.literal; continue; }
    const n = t.count;
    switch (t.letter) {
      case 'y': case 'u': out += n === 2 ? pad(year % 100, 2) : pad(year, n); break;
      case 'M': case 'L':
        out += n >= 4 ? MONTHS[d.getUTCMonth()] : n === 3 ? MONTHS[d.getUTCMonth()].slice(0, 3)
          : pad(d.getUTCMonth() + 1, n);
        break;
      case 'd': out += pad(d.getUTCDate(), n); break;
      case 'D': out += pad(dayOfYear, n); break;
      case 'H': out += pad(hour, n); break;
      case 'k': out += pad(hour === 0 ? 24 : hour, n); break;
      case 'K': out += pad(hour % 12, n); break;
      case 'h': out += pad(hour % 12 === 0 ? 12 : hour % 12, n); break;
      case 'm': out += pad(d.getUTCMinutes(), n); break;
      case 's': out += pad(d.getUTCSeconds(), n); break;
      case 'S': out += pad(d.getUTCMilliseconds(), 3).padEnd(n, '0').slice(0, n); break;
      case 'a': out += hour < 12 ? 'AM' : 'PM'; break;
      case 'E': out += n >= 4 ? DAYS[d.getUTCDay()] : DAYS[d.getUTCDay()].slice(0, 3); break;
      case 'Z':
        out += n <= 3 ? offsetText(offset, { colon: false })
          : n === 4 ? (offset === 0 ? 'GMT' : `GMT${offsetText(offset, { colon: true })}`)
            : offsetText(offset, { colon: true, zulu: true });
        break;
      case 'X': case 'x': {
        const zulu = t.letter === 'X';
        out += offsetText(offset, { colon: n >= 3, zulu, hoursOnly: n === 1 });
        break;
      }
      case 'z': out += zoneShortName(ms, zone); break;
      case 'V': out += zone; break;
      default: throw new Error(`util.time: unsupported pattern letter '${t.letter}'`);
    }
  }
  return out;
}

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const names = (list, short) => list.map((x) => (short ? x.slice(0, 3) : x)).join('|');

export function parseToEpochMillis(text, pattern, zone) {
  const fields = [];
  let re = '';
  for (const t of tokenize(pattern)) {
    if (t.literal !== undefined) { re += escapeRe(t.literal); continue; }
    const n = t.count;
    fields.push(t);
    switch (t.letter) {
      case 'y': case 'u': re += n === 2 ? '(\\d{2})' : `(\\d{${Math.max(n, 4)},9})`; break;
      case 'M': case 'L':
        re += n >= 4 ? `(${names(MONTHS)})` : n === 3 ? `(${names(MONTHS, true)})`
          : n === 1 ? '(\\d{1,2})' : '(\\d{2})';
        break;
      case 'E': re += `(${names(DAYS, n < 4)})`; break;
      case 'a': re += '(AM|PM)'; break;
      case 'S': re += `(\\d{${n}})`; break;
      case 'Z': case 'X': case 'x': re += '(Z|GMT|[+-]\\d{2}(?::?\\d{2})?|GMT[+-]\\d{2}:\\d{2})'; break;
      case 'z': case 'V': re += '([A-Za-z][A-Za-z0-9_/+-]*)'; break;
      default: re += n === 1 ? '(\\d{1,3})' : `(\\d{${n}})`;
    }
  }
  const m = new RegExp(`^${re}$`, 'i').exec(String(text));
  if (!m) throw new Error(`util.time: '${text}' does not match the pattern '${pattern}'`);
  const v = { year: 1970, month: 1, day: 1, hour: 0, minute: 0, second: 0, ms: 0, pm: null };
  let offset = null;
  let parsedZone = null;
  fields.forEach((t, i) => {
    const s = m[i + 1];
    switch (t.letter) {
      case 'y': case 'u': v.year = t.count === 2 ? 2000 + Number(s) : Number(s); break;
      case 'M': case 'L':
        v.month = t.count >= 3
          ? MONTHS.findIndex((x) => x.toLowerCase().startsWith(s.toLowerCase().slice(0, 3))) + 1
          : Number(s);
        break;
      case 'd': v.day = Number(s); break;
      case 'H': case 'k': v.hour = Number(s) % 24; break;
      case 'h': case 'K': v.hour = Number(s) % 12; break;
      case 'a': v.pm = s.toUpperCase() === 'PM'; break;
      case 'm': v.minute = Number(s); break;
      case 's': v.second = Number(s); break;
      case 'S': v.ms = Math.round(Number(`0.${s}`) * 1000); break;
      case 'Z': case 'X': case 'x': offset = fixedOffset(s.toUpperCase()); break;
      case 'z': case 'V': parsedZone = s; break;
      default: break;
    }
  });
  if (v.pm !== null) v.hour = (v.hour % 12) + (v.pm ? 12 : 0);
  const wall = Date.UTC(v.year, v.month - 1, v.day, v.hour, v.minute, v.second, v.ms);
  if (offset !== null) return wall - offset * 60000;
  const z = zone ?? parsedZone ?? 'UTC';
  // A wall-clock time in a zone with DST: correct the first guess once with the offset found.
  const first = offsetAt(wall, z);
  const second = offsetAt(wall - first * 60000, z);
  return wall - second * 60000;
}

export const time = Object.freeze({
  nowISO8601: () => new Date().toISOString(),
  nowEpochSeconds: () => Math.floor(Date.now() / 1000),
  nowEpochMilliSeconds: () => Date.now(),
  nowFormatted: (pattern, zone) => formatEpochMillis(Date.now(), pattern, zone ?? 'UTC'),
  parseFormattedToEpochMilliSeconds: (text, pattern, zone) => parseToEpochMillis(text, pattern, zone),
  parseISO8601ToEpochMilliSeconds: (text) => {
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new Error(`util.time: '${text}' is not an ISO 8601 timestamp`);
    return ms;
  },
  epochMilliSecondsToSeconds: (ms) => Math.floor(ms / 1000),
  epochMilliSecondsToISO8601: (ms) => new Date(ms).toISOString(),
  epochMilliSecondsToFormatted: (ms, pattern, zone) => formatEpochMillis(ms, pattern, zone ?? 'UTC'),
});
