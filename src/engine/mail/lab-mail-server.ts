import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { readMessage, smtpCallbacks } from './smtp-adapter.js';

/** Lowercased, path-safe mailbox folder name of an address. */
export function mailboxName(address: string): string {
  return address.toLowerCase().replace(/[^a-z0-9@._+-]/g, '_');
}

/**
 * The lab's downstream mail server (the "Exchange" behind the gateway): accepts everything the
 * gateway delivers and files each message into mailboxes/<recipient>/.
 */
export function createLabMailServer(mailboxesDir: string): SMTPServer {
  let counter = 0;
  const made = new Set<string>();
  return new SMTPServer({
    name: 'exchange.lab',
    banner: 'Microsoft ESMTP MAIL Service ready (segsim lab)',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    size: 100 * 1024 * 1024,
    ...smtpCallbacks(
      {
        async data(stream, session) {
          const { body } = await readMessage(stream);
          const id = `${Date.now().toString(36)}${(counter++).toString(36).padStart(4, '0')}`;
          await Promise.all(
            session.envelope.rcptTo.map(async (r) => {
              const dir = join(mailboxesDir, mailboxName(r.address));
              if (!made.has(dir)) {
                await mkdir(dir, { recursive: true });
                made.add(dir);
              }
              // written under a temporary name first: a crash never leaves half a message in a mailbox
              await writeFile(join(dir, `.${id}.tmp`), body);
              await rename(join(dir, `.${id}.tmp`), join(dir, `${id}.eml`));
            }),
          );
          return `2.0.0 Ok: queued as ${id.toUpperCase()}`;
        },
      },
      { localError: (message) => `4.3.0 Mailbox unavailable: ${message}` },
    ),
  });
}
