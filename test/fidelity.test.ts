import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const read = (path: string) => readFileSync(fileURLToPath(new URL(`../${path}`, import.meta.url)), 'utf8');
const table = read('fixtures/fidelity.md');

describe('the fidelity table (fixtures/fidelity.md)', () => {
  it('lists every golden transcript, and names none that does not exist', () => {
    const goldens = readdirSync(fileURLToPath(new URL('../fixtures/transcripts/', import.meta.url)));
    for (const file of goldens) expect(table, file).toContain(`\`${file}\``);
    const named = [...table.matchAll(/`([\w-]+\.txt)`/g)].map((m) => m[1]!);
    expect(named.filter((f) => !goldens.includes(f))).toEqual([]);
  });

  it('lists every kind of mail_logs line mail-log-lines.ts words', () => {
    const source = read('src/engine/mail/mail-log-lines.ts');
    const body = source.slice(source.indexOf('export function mailLogLines'), source.indexOf('function bouncedLines'));
    const events = [...body.matchAll(/case '([\w.]+)':/g)].map((m) => m[1]!);
    expect(events.length).toBeGreaterThan(30);
    for (const event of events) expect(table, event).toMatch(new RegExp(`^\\| \`${event.replaceAll('.', '\\.')}\``, 'm'));
  });

  it('lists every kind of Message Tracking sentence tracking-sentences.ts words', () => {
    const source = read('src/engine/tracking-sentences.ts');
    const body = source.slice(source.indexOf('export function trackingSentences'));
    const events = [...body.matchAll(/case '([\w.]+)':/g)].map((m) => m[1]!);
    expect(events.length).toBeGreaterThan(25);
    const section = table.slice(table.indexOf('## Message Tracking sentences'));
    for (const event of events) expect(section, event).toMatch(new RegExp(`^\\| [^|]*\`${event.replaceAll('.', '\\.')}\``, 'm'));
  });

  it('is linked from the README', () => {
    expect(read('README.md')).toContain('fixtures/fidelity.md');
  });
});
