const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** AsyncOS date as in mail_logs and `Changes committed:`: `Fri Feb 16 21:19:22 2024` (day space-padded). */
export function asyncosDate(ms: number): string {
  const d = new Date(ms);
  const day = String(d.getDate()).padStart(2, ' ');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${day} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} ${d.getFullYear()}`;
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

/** A date as the appliance's screens print it: `Fri Feb 16 21:19:22 2024 EDT`. */
export function zonedDate(ms: number): string {
  return `${asyncosDate(ms)} ${zoneName(ms)}`;
}

/** Message Tracking timestamp: `16 Feb 2024 21:19:24 (GMT -06:00)`. */
export function trackingDate(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  const zone = `GMT ${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${pad(d.getDate())} ${MONTHS[d.getMonth()]} ${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())} (${zone})`;
}
