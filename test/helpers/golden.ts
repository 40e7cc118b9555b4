import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Compares a screen with its golden transcript in fixtures/transcripts/. UPDATE_GOLDEN=1 rewrites
 * the file instead (check the result by eye before committing it).
 */
export function expectGolden(name: string, actual: string): void {
  const file = fileURLToPath(new URL(`../../fixtures/transcripts/${name}`, import.meta.url));
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}
