import { zonedDate, zoneName } from '../../src/engine/time-format.js';

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
