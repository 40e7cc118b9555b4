// The SMTP greetings of the tracking bench (tracking-load.mjs), timed from a process of their own:
// timed in the process that opens 300 HTTPS connections at once, a greeting took as long as that
// process's own event loop was held up by them (its TLS handshakes: 480-890 ms measured on
// 2026-12-07), not the appliance's. Forked with the SMTP port: sends 'ready', greets one
// connection after another until it gets a message, then sends back their times (ms).
import { connect } from 'node:net';

const port = Number(process.argv[2]);
const ms = (t) => Number((Number(process.hrtime.bigint() - t) / 1e6).toFixed(1));

/** The time of one SMTP greeting: connect, read the 220 line, quit. */
function greeting() {
  const t = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(60_000, () => s.destroy(new Error('no greeting in 60 s')));
    s.once('data', (d) => {
      const took = ms(t);
      s.end('QUIT\r\n');
      if (!String(d).startsWith('220')) reject(new Error(`greeting: ${d}`));
      else resolve(took);
    });
    s.on('error', reject);
  });
}

let stop = false;
process.once('message', () => (stop = true));
process.send('ready');
const times = [];
while (!stop) {
  times.push(await greeting());
  await new Promise((r) => setTimeout(r, 10));
}
process.send(times, () => process.disconnect());
