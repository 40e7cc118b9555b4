// The AsyncOS API's side of the tracking bench: a login (a token), then a page of 100 of a broad
// message-tracking/messages search (its meta.totalCount counts every match) and one message's
// details, each timed over HTTPS. Used by tracking-load.mjs; alone:
// node test/bench/api-page.mjs '{"apiUrl":"https://127.0.0.1:6443/esa/api/v2.0/","caFile":..,"password":..,"mid":..}'
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { pathToFileURL } from 'node:url';

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (t) => Number((Number(process.hrtime.bigint() - t) / 1e6).toFixed(1));
const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');

/** Times the API's tracking answers; resolves with their median times and what they held. */
export async function apiPage(opts, runs = 5) {
  const ca = readFileSync(opts.caFile, 'utf8');
  const send = (method, path, headers = {}, body) =>
    new Promise((resolve, reject) => {
      const req = request(new URL(path, opts.apiUrl), { method, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) }, ca, agent: false }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const login = await send('POST', 'login', {}, JSON.stringify({ data: { userName: b64('admin'), passphrase: b64(opts.password) } }));
  if (login.status !== 200) throw new Error(`API login: HTTP ${login.status} ${login.body}`);
  const headers = { jwtToken: JSON.parse(login.body).data.jwtToken };
  const timed = async (path) => {
    const times = [];
    let body;
    for (let i = 0; i < runs; i++) {
      const t = process.hrtime.bigint();
      const res = await send('GET', path, headers);
      times.push(ms(t));
      if (res.status !== 200) throw new Error(`${path}: HTTP ${res.status} ${res.body.slice(0, 200)}`);
      body = JSON.parse(res.body);
    }
    return { medianMs: median(times), body };
  };
  const range = 'startDate=1970-01-01T00:00:00.000Z&endDate=2100-01-01T00:00:00.000Z';
  const page = await timed(
    `message-tracking/messages?${range}&ciscoHost=All_Hosts&searchOption=messages&offset=0&limit=100&envelopeRecipientfilterOperator=contains&envelopeRecipientfilterValue=example.com`,
  );
  const details = await timed(`message-tracking/details?mid=${opts.mid}`);
  return {
    pageOf100Ms: page.medianMs,
    pageRows: page.body.data.length,
    totalCount: page.body.meta.totalCount,
    detailsMs: details.medianMs,
    detailsSummaryLines: details.body.data.messages.summary.length,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(JSON.stringify(await apiPage(JSON.parse(process.argv[2]))));
