import nodemailer from 'nodemailer';
import type { Appliance } from '../../src/engine/appliance.js';
import { ensureLabPki } from '../../src/engine/tls.js';
import { SetdEmulator } from '../../src/setd/intake-server.js';
import { SetdStore } from '../../src/setd/store.js';
import { tempHome } from './scripted.js';
import { setdStoreOf } from '../../src/setd/appliance-store.js';

/** An original as TDC wraps it: the SEG header, and words that give the BEC verdict. */
export const ORIGINAL =
  'X-IronPort-RemoteIP: 203.0.113.7\r\nFrom: alice@outside.example\r\nTo: bob@example.com\r\nSubject: urgent wire transfer\r\nMessage-ID: <orig-1@outside.example>\r\n\r\nPlease make the wire transfer today.\r\n';

/** A journal as TDC sends it: the original attached as message/rfc822. */
export function journal(intake: string, original = ORIGINAL) {
  return {
    envelope: { from: 'tdc@esa1.example.com', to: [intake] },
    from: 'tdc@esa1.example.com',
    to: intake,
    subject: 'journal',
    headers: { 'X-IronPort-MID': '42' },
    text: 'journal',
    attachments: [{ content: original, contentType: 'message/rfc822', filename: 'original.eml', contentDisposition: 'attachment' as const }],
  };
}

/**
 * The SETD emulator on 127.0.0.1:0 over a store: the appliance's own when given (its clock), else
 * a store of its own in `home`. `send` delivers one journal over STARTTLS with short timeouts.
 */
export async function startEmulator(opts: { appliance?: Appliance; home?: string } = {}) {
  const home = opts.appliance?.paths.root ?? opts.home ?? tempHome();
  const store = opts.appliance ? setdStoreOf(opts.appliance) : new SetdStore(`${home}/setd`);
  const setd = new SetdEmulator(store, `${home}/tls`);
  const { port } = await setd.start();
  const ca = ensureLabPki(`${home}/tls`).ca;
  const send = async (to: string, original = ORIGINAL) => {
    const client = nodemailer.createTransport({ host: '127.0.0.1', port, requireTLS: true, tls: { ca, servername: 'localhost' }, connectionTimeout: 1500, greetingTimeout: 1500, socketTimeout: 3000 });
    try {
      return await client.sendMail(journal(to, original));
    } finally {
      client.close();
    }
  };
  return { home, store, setd, port, ca, send };
}
