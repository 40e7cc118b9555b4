import { describe, expect, it } from 'vitest';
import { splitBatch } from '../../src/ssh/batch.js';
import { execProblem, MAX_EXEC_COMMAND } from '../../src/ssh/server.js';

describe('an exec request split into its batch', () => {
  it('splits at ; outside quotes and escapes, keeping the quotes, dropping empty commands', () => {
    expect(splitBatch('sethostname x; commit "msg"')).toEqual(['sethostname x', 'commit "msg"']);
    expect(splitBatch(`dictionaryconfig edit d new "a;b"; commit 'c;d' Y;;`)).toEqual(['dictionaryconfig edit d new "a;b"', "commit 'c;d' Y"]);
    expect(splitBatch('grep a\\;b mail_logs')).toEqual(['grep a\\;b mail_logs']);
    expect(splitBatch('commit "say \\"a;b\\""; who')).toEqual(['commit "say \\"a;b\\""', 'who']);
    expect(splitBatch('  ')).toEqual([]);
  });

  it('an unterminated quote keeps the rest in one command (the shell then refuses it)', () => {
    expect(splitBatch('who; commit "a; b')).toEqual(['who', 'commit "a; b']);
  });

  it('refuses a command too long or holding bytes that are not text', () => {
    expect(execProblem('status')).toBeNull();
    expect(execProblem('x'.repeat(MAX_EXEC_COMMAND + 1))).toMatch(/^Invalid arguments when processing: the command is 16385 characters long/);
    expect(execProblem('status\u0000\u0001')).toMatch(/control characters/);
    expect(execProblem('status\ufffd')).toMatch(/not text/);
  });
});
