import type { AddressInfo } from 'node:net';
import { createTransport } from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { readMessage, smtpCallbacks, SmtpReply, speakAs, type SmtpHooks } from '../../src/engine/mail/smtp-adapter.js';
import { dialogue } from '../helpers/smtp-dialogue.js';

async function serve(hooks: SmtpHooks, localError?: (m: string) => string) {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, ...smtpCallbacks(hooks, { localError }) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
  const send = (to = 'a@example.com', from = 'x@outside.example') => transport.sendMail({ from, to, text: 'hello' });
  return { send, close: () => new Promise<void>((r) => server.close(() => r())) };
}

describe('the smtp-server adapter', () => {
  it('answers a thrown SmtpReply with its code and text, and a 250 with the text data returns', async () => {
    const s = await serve({
      rcptTo: async (address) => {
        if (address.address.startsWith('no')) throw new SmtpReply(550, '#5.1.0 Address rejected');
      },
      data: async (stream) => `ok: ${(await readMessage(stream)).body.length > 0 ? 'got it' : 'empty'}`,
    });
    try {
      await expect(s.send('no@example.com')).rejects.toMatchObject({ responseCode: 550, response: expect.stringContaining('#5.1.0 Address rejected') });
      expect((await s.send()).response).toMatch(/^250 ok: got it/);
    } finally {
      await s.close();
    }
  });

  it('turns any other error, at any step and sync or async, into a temporary 451 naming it', async () => {
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const s = await serve(
      {
        mailFrom: (address) => {
          if (address.address.startsWith('sync')) throw new Error('state file unwritable');
        },
        data: async (stream) => {
          await readMessage(stream);
          throw new Error('disk full');
        },
      },
      (m) => `4.3.0 Mailbox unavailable: ${m}`,
    );
    try {
      await expect(s.send()).rejects.toMatchObject({ responseCode: 451, response: expect.stringContaining('4.3.0 Mailbox unavailable: disk full') });
      await expect(s.send('a@example.com', 'sync@outside.example')).rejects.toMatchObject({ responseCode: 451, response: expect.stringContaining('state file unwritable') });
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await s.close();
    }
  });

  it('speaks the reply texts it is given for MAIL, RCPT, DATA and QUIT, and leaves every other reply as it was', async () => {
    const server = speakAs(
      new SMTPServer({
        name: 'gw.test',
        authOptional: true,
        disabledCommands: ['AUTH', 'STARTTLS'],
        logger: false,
        ...smtpCallbacks({
          rcptTo: (address) => {
            if (address.address.startsWith('no')) throw new SmtpReply(550, '#5.1.0 Address rejected');
          },
          data: async (stream) => void (await readMessage(stream)),
        }),
      }),
      { sender: (a) => `sender <${a}> ok`, recipient: (a) => `recipient <${a}> ok`, goAhead: 'go ahead', quit: (name) => `${name} closing` },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.server.address() as AddressInfo;
    try {
      const lines = await dialogue(port, [
        'HELO client.test',
        'MAIL FROM:<a@x.test>',
        'RCPT TO:<no@y.test>',
        'RCPT TO:<B@y.test>',
        'RCPT TO:<c@y.test>',
        'DATA',
        'Subject: t\r\n\r\nhi\r\n.',
        'NOOP',
        'QUIT',
      ]);
      expect(lines.slice(1)).toEqual([
        expect.stringMatching(/^250 gw\.test Nice to meet you/),
        '250 sender <a@x.test> ok',
        '550 #5.1.0 Address rejected',
        '250 recipient <B@y.test> ok',
        '250 recipient <c@y.test> ok',
        '354 go ahead',
        '250 OK: message queued',
        '250 OK',
        '221 gw.test closing',
      ]);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
