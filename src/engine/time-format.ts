const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** `Fri Mar  4 16:13:11 2022` with the day of the month padded by `fill` to two characters, local time. */
function ctimeDate(ms: number, fill: ' ' | '0'): string {
  const d = new Date(ms);
  const day = String(d.getDate()).padStart(2, fill);
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
}

/**
 * A date as AsyncOS writes it in its log files (mail_logs and the others): the day space-padded,
 * `Wed Sep  6 13:13:16 2023` (real 2023 mail_logs, fidelity-sources D4). Screens use screenDate.
 */
export function asyncosDate(ms: number): string {
  return ctimeDate(ms, ' ');
}

/**
 * A date as the appliance's CLI screens print it: the day zero-padded, `Fri Mar 04 16:13:11 2022`
 * (`Up since:`, the engines' dates of `version`, fidelity-sources C2). Log lines use asyncosDate.
 */
export function screenDate(ms: number): string {
  return ctimeDate(ms, '0');
}

/** English locales tried in turn for a zone's letters: each knows the abbreviations of its region. */
const ZONE_LOCALES = ['en-US', 'en-GB', 'en-IN', 'en-AU'];

/**
 * The local zone's abbreviation as AsyncOS prints after `Status as of:` dates (`EDT`, `CST`,
 * `GMT`, `UTC`). Intl knows a zone's letters only in the locale of its region, so a few English
 * locales are asked in turn; a zone none of them names keeps Intl's `GMT+8`.
 */
export function zoneName(ms: number): string {
  let fallback = '';
  for (const locale of ZONE_LOCALES) {
    const name = new Intl.DateTimeFormat(locale, { timeZoneName: 'short' }).formatToParts(ms).find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (/^[A-Z]{2,5}$/.test(name)) return name;
    fallback ||= name;
  }
  return fallback || 'UTC';
}

/** A date as the appliance's screens print it with the zone: `Fri Mar 04 16:13:11 2022 GMT`. */
export function zonedDate(ms: number): string {
  return `${screenDate(ms)} ${zoneName(ms)}`;
}

/** Message Tracking timestamp: `16 Feb 2024 21:19:24 (GMT -06:00)`. */
export function trackingDate(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `GMT ${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} (${zone})`;
}

/** A time span as the appliance writes it: `169d 1h 39m 8s` (status's Up since, /xml/status's birth_time). */
export function elapsedText(ms: number): string {
  let s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  return `${d}d ${h}h ${m}m ${s - m * 60}s`;
}
