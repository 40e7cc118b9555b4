import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Appliance } from '../../src/engine/appliance.js';
import { checkValue, HEADER_NAME, HOSTNAME, LISTENER_NAME, POLICY_NAME, RAT_ENTRY, type ValueRule } from '../../src/engine/config/validate.js';
import { REGION } from '../../src/setd/regions.js';

describe('value rules: one rule for a dialog, a flag and the stored file', () => {
  it.each<[ValueRule, string, string]>([
    [POLICY_NAME, 'partners.eu-1', 'bad name'],
    [LISTENER_NAME, 'Inbound_2', 'in.bound'],
    [HEADER_NAME, 'X-Original-IP', 'X_Original'],
    [HOSTNAME, 'esa2.lab.example', '-esa.example.com'],
    [RAT_ENTRY, '.partner.example', 'user@partner.example'],
    [REGION, 'Europe', 'mars'],
  ])('%o takes %s and refuses %s with the same words in a dialog and for a flag', (rule, good, bad) => {
    expect(checkValue(rule, good)).toBe(good);
    expect(rule.problem(good)).toBeNull();
    const why = rule.problem(bad)!;
    expect(why).toMatch(/\w/);
    expect(() => checkValue(rule, bad)).toThrow(`Invalid ${rule.what} "${bad}": ${why}.`);
    // a dialog takes `rule.problem` as its question's check (Conversation.text words it)
    expect(why).not.toMatch(/That value is not valid|^Invalid/);
  });

  it("refuses a config.json whose listener name breaks the rule, with the rule's words", () => {
    const home = mkdtempSync(join(tmpdir(), 'segsim-rules-'));
    try {
      new Appliance({ home });
      const stored = JSON.parse(readFileSync(join(home, 'config.json'), 'utf8'));
      stored.listener.name = 'in bound';
      writeFileSync(join(home, 'config.json'), JSON.stringify(stored));
      expect(() => new Appliance({ home })).toThrow(`Configuration file ${home}/config.json is not valid: listener.name "in bound" is not valid: ${LISTENER_NAME.problem('in bound')}.`);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
