import { tokenize } from '../../src/cli/tokenize.js';

describe('tokenize', () => {
  it('splits words and honours quotes', () => {
    expect(tokenize(`grep -e "TDC: MID" -i  mail_logs`)).toEqual(['grep', '-e', 'TDC: MID', '-i', 'mail_logs']);
    expect(tokenize(`commit --comment 'it''s'`)).toEqual(['commit', '--comment', 'its']);
    expect(tokenize('')).toEqual([]);
  });
  it('refuses an unterminated quote', () => {
    expect(() => tokenize('grep -e "open')).toThrow(/unterminated/);
  });
});
