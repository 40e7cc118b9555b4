import { connect } from 'node:net';

/** Speaks `commands` one at a time to 127.0.0.1:port and returns every reply line, the greeting first. */
export async function dialogue(port: number, commands: string[]): Promise<string[]> {
  const socket = connect(port, '127.0.0.1');
  const lines: string[] = [];
  let buffered = '';
  let waiting: (() => void) | null = null;
  socket.on('data', (d: Buffer) => {
    buffered += d.toString('latin1');
    const parts = buffered.split('\r\n');
    buffered = parts.pop()!;
    lines.push(...parts);
    // a reply ends on a line whose code is followed by a space
    if (parts.some((l) => /^\d{3} /.test(l))) waiting?.();
  });
  const reply = () => new Promise<void>((resolve) => (waiting = resolve));
  await reply();
  for (const command of commands) {
    const next = reply();
    socket.write(`${command}\r\n`);
    await next;
  }
  socket.destroy();
  return lines;
}
