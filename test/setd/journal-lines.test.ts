import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeAfterFile } from '../helpers/cleanup.js';
import { tempHome } from '../helpers/scripted.js';
import { SetdStore, type ReceivedJournal } from '../../src/setd/store.js';

const journal = (id: string): ReceivedJournal => ({
  id,
  account: 'acct0001',
  receivedAt: 0,
  sender: 'alice@outside.example',
  senderIp: '203.0.113.7',
  ipFromHeader: true,
  recipients: ['bob@example.com'],
  subject: `journal ${id}`,
  messageId: `<${id}@outside.example>`,
  gatewayMid: '42',
  verdict: 'Neutral',
  size: 100,
});

describe("an account's journal file", () => {
  it('cuts back a torn last line (a write a crash or a full disk stopped) before the next journal, which is stored whole', async () => {
    const dir = join(removeAfterFile(tempHome()), 'setd');
    const store = new SetdStore(dir);
    const file = join(dir, 'messages', 'acct0001.jsonl');
    await store.saveMessage(journal('one'));
    // what an append stopped partway leaves: part of a line, no newline
    appendFileSync(file, JSON.stringify(journal('torn')).slice(0, 60));
    await Promise.all([store.saveMessage(journal('two')), store.saveMessage(journal('three'))]);
    await store.saveMessage(journal('four'));
    expect(store.messages('acct0001').map((m) => m.id)).toEqual(['one', 'two', 'three', 'four']);
    expect(readFileSync(file, 'utf8')).toBe(['one', 'two', 'three', 'four'].map((id) => `${JSON.stringify(journal(id))}\n`).join(''));
  });

  it('cuts back a file that holds only a torn line', async () => {
    const dir = join(removeAfterFile(tempHome()), 'setd');
    const store = new SetdStore(dir);
    const file = join(dir, 'messages', 'acct0001.jsonl');
    appendFileSync(file, '{"id": "to');
    await store.saveMessage(journal('one'));
    expect(readFileSync(file, 'utf8')).toBe(`${JSON.stringify(journal('one'))}\n`);
  });
});
