/** AsyncOS counters carry thousands separators: 104,163. */
export function count(n: number): string {
  return Math.trunc(n).toLocaleString('en-US');
}
