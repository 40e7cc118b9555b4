// The client side of the tracking bench (test/bench/tracking.mjs), in a process of its own so
// that what it measures is the appliance's event loop, not its own: Message Tracking searches
// over HTTPS, SMTP greetings (timed by greeting-probe.mjs, apart from the logins' connections),
// and 300 concurrent wrong web logins. Prints one JSON object.
// node test/bench/tracking-load.mjs '{"smtpPort":..,"webUrl":..,"apiUrl":..,"caFile":..,"password":..,"mid":..}'
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { apiPage } from './api-page.mjs';

const opts = JSON.parse(process.argv[2]);
const ca = readFileSync(opts.caFile, 'utf8');
const LOGINS = opts.logins ?? 300;
const PROBE = new URL('./greeting-probe.mjs', import.meta.url);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const percentile = (values, p) => {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (t) => Number((Number(process.hrtime.bigint() - t) / 1e6).toFixed(1));

/** One HTTPS request on a connection of its own; resolves with status, cookies and body. */
function send(method, path, { cookies = '', form } = {}) {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const headers = { cookie: cookies, ...(body ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } : {}) };
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, opts.webUrl), { method, headers, ca, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, cookies: (res.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]), body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const join = (...lists) => lists.flat().join('; ');

/** The login form's CSRF cookie and token. */
async function loginForm() {
  const page = await send('GET', '/login');
  return { cookies: page.cookies, token: /name="_csrf" value="([^"]+)"/.exec(page.body)[1] };
}

/** Starts timing greetings in greeting-probe.mjs, a process of its own; `stop()` ends it and gives their times. */
async function greetings() {
  const probe = fork(PROBE, [String(opts.smtpPort)]);
  const failed = new Promise((_, reject) => probe.once('exit', (code) => code && reject(new Error(`greeting probe: exit ${code}`))));
  await Promise.race([once(probe, 'message'), failed]);
  return {
    async stop() {
      const times = once(probe, 'message');
      probe.send('stop');
      return (await Promise.race([times, failed]))[0];
    },
  };
}

async function timed(path, cookies, runs = 5) {
  const times = [];
  let rows = 0;
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint();
    const res = await send('GET', path, { cookies });
    times.push(ms(t));
    if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status}`);
    rows = (res.body.match(/<tr data-mid=/g) ?? []).length || (res.body.match(/<tr( class="tdc-line")?><td style/g) ?? []).length;
  }
  return { medianMs: median(times), rows };
}

// a real login for the searches
const form = await loginForm();
const login = await send('POST', '/login', { cookies: join(form.cookies), form: { _csrf: form.token, username: 'admin', password: opts.password } });
if (login.status !== 302) throw new Error(`login: HTTP ${login.status}`);
const session = join(form.cookies, login.cookies);

const midLookup = await timed(`/monitor/message-tracking?search=1&mid=${opts.mid}`, session);
const details = await timed(`/monitor/message-tracking/${opts.mid}`, session);
const broadSearch = await timed('/monitor/message-tracking?search=1&recipient=example.com', session);
// the AsyncOS API: a page of 100 of the same broad search, and a message's details
const api = opts.apiUrl ? await apiPage(opts) : null;

// the greeting idle, then under load: 300 wrong logins at once and a broad search beside them
const idleProbe = await greetings();
await new Promise((r) => setTimeout(r, 2000));
const idle = await idleProbe.stop();
const probing = await greetings();
const t = process.hrtime.bigint();
const wrong = { _csrf: form.token, username: 'admin', password: 'not-the-passw0rd' };
const logins = Promise.all(Array.from({ length: LOGINS }, () => send('POST', '/login', { cookies: join(form.cookies), form: wrong }).then((r) => r.status)));
const searchStart = process.hrtime.bigint();
const search = send('GET', '/monitor/message-tracking?search=1&recipient=example.com', { cookies: session }).then(() => ms(searchStart));
const [statuses, searchUnderLoadMs] = await Promise.all([logins, search]);
const loginsMs = ms(t);
const loaded = await probing.stop();
const refused = statuses.filter((s) => s !== 401).length;

console.log(
  JSON.stringify({
    midLookupMs: midLookup.medianMs,
    midLookupRows: midLookup.rows,
    detailsMs: details.medianMs,
    detailsRows: details.rows,
    broadSearchMs: broadSearch.medianMs,
    broadSearchRows: broadSearch.rows,
    api,
    greetingIdle: { count: idle.length, p50Ms: percentile(idle, 50), p99Ms: percentile(idle, 99) },
    underLoad: {
      wrongLogins: LOGINS,
      notRefused: refused,
      loginsMs,
      searchMs: searchUnderLoadMs,
      greetings: loaded.length,
      greetingP50Ms: percentile(loaded, 50),
      greetingP99Ms: percentile(loaded, 99),
      greetingMaxMs: Math.max(...loaded),
    },
  }),
);
