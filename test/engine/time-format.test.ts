import { asyncosDate, screenDate, zonedDate, zoneName } from '../../src/engine/time-format.js';

/** Runs with the process in another zone (Node reads TZ again when it changes). */
function inZone<T>(tz: string, run: () => T): T {
  const before = process.env.TZ;
  process.env.TZ = tz;
  try {
    return run();
  } finally {
    process.env.TZ = before;
  }
}

const WINTER = Date.UTC(2024, 0, 15, 12);
const SUMMER = Date.UTC(2024, 6, 15, 12);

describe('the zone after AsyncOS dates', () => {
  it('is the local abbreviation, as AsyncOS prints it', () => {
    expect(inZone('UTC', () => zoneName(WINTER))).toBe('UTC');
    expect(inZone('America/New_York', () => [zoneName(WINTER), zoneName(SUMMER)])).toEqual(['EST', 'EDT']);
    expect(inZone('America/Chicago', () => zoneName(WINTER))).toBe('CST');
    expect(inZone('Europe/London', () => [zoneName(WINTER), zoneName(SUMMER)])).toEqual(['GMT', 'BST']);
    expect(inZone('Europe/Paris', () => zoneName(WINTER))).toBe('CET');
    expect(inZone('Asia/Kolkata', () => zoneName(WINTER))).toBe('IST');
  });

  it('keeps the offset only for a zone no English locale names', () => {
    expect(inZone('Etc/GMT-3', () => zoneName(WINTER))).toBe('GMT+3');
  });

  it('follows the date in local time', () => {
    expect(inZone('America/New_York', () => zonedDate(SUMMER))).toBe('Mon Jul 15 08:00:00 2024 EDT');
  });
});

describe('the two forms of an AsyncOS date', () => {
  const MARCH_4 = Date.UTC(2022, 2, 4, 16, 13, 11);

  it('pads the day with a zero on CLI screens, as the appliance does (Up since:, version)', () => {
    expect(inZone('UTC', () => screenDate(MARCH_4))).toBe('Fri Mar 04 16:13:11 2022');
    expect(inZone('Europe/London', () => zonedDate(MARCH_4))).toBe('Fri Mar 04 16:13:11 2022 GMT');
  });

  it('pads the day with a space in log lines, as mail_logs has it', () => {
    expect(inZone('UTC', () => asyncosDate(MARCH_4))).toBe('Fri Mar  4 16:13:11 2022');
  });

  it('keeps a two-digit day as it is in both', () => {
    const day16 = Date.UTC(2024, 1, 16, 21, 19, 22);
    expect(inZone('UTC', () => [screenDate(day16), asyncosDate(day16)])).toEqual(['Fri Feb 16 21:19:22 2024', 'Fri Feb 16 21:19:22 2024']);
  });
});
