import { parseDecimal } from '../../src/commands/numbers.js';
import { ErrorCodes } from '../../src/errors.js';

describe('parseDecimal, the rule for numbers on a command line', () => {
  const rule = { name: '--delay', min: 1, max: 300000, unit: 'milliseconds' };

  it('takes decimal digits within the range, as given by commander or by a caller', () => {
    expect(parseDecimal('2000', rule)).toBe(2000);
    expect(parseDecimal('007', rule)).toBe(7);
    expect(parseDecimal(300000, rule)).toBe(300000);
    expect(parseDecimal('0', { name: '--port', min: 0, max: 65535 })).toBe(0);
  });

  it.each(['-5', '+5', '1e3', '0x10', '2.5', ' 5', '5 ', '', 'five', 'Infinity', '0', '300001', '99999999999999999999'])('refuses %j, naming the flag and the range', (text) => {
    expect(() => parseDecimal(text, rule)).toThrow(
      expect.objectContaining({ code: ErrorCodes.invalidValue, message: `Invalid value "${text}" for --delay: enter a whole number from 1 to 300000 milliseconds.` }),
    );
  });
});
