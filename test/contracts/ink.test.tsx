import { EventEmitter } from 'node:events';
import { Text, useStdin } from 'ink';
import { render } from 'ink-testing-library';
import { useEffect } from 'react';

/**
 * What segsim's terminal (ui/terminal-view.tsx) relies on in ink beyond its documented API
 * (package.json pins it with a tilde range): useStdin()'s `internal_eventEmitter`, which emits
 * 'input' with the raw key sequences ink reads, so that Backspace (DEL) and Delete (ESC [3~),
 * which ink's own key parsing does not tell apart, reach ui/keys.ts as they were typed.
 */

function Probe({ received }: { received: string[] }) {
  const { internal_eventEmitter: input, setRawMode } = useStdin();
  useEffect(() => {
    expect(input).toBeInstanceOf(EventEmitter);
    setRawMode(true);
    const onInput = (data: string) => void received.push(data);
    input.on('input', onInput);
    return () => {
      input.off('input', onInput);
      setRawMode(false);
    };
  }, [input, received, setRawMode]);
  return <Text>ready</Text>;
}

async function until(check: () => boolean): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > 2000) throw new Error('no input event came');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ink: the internals segsim relies on', () => {
  it("useStdin().internal_eventEmitter emits 'input' with each raw key sequence: DEL, ESC [3~, arrows and text as typed", async () => {
    const received: string[] = [];
    const ui = render(<Probe received={received} />);
    try {
      expect(ui.lastFrame()).toBe('ready');
      for (const sequence of ['\u007f', '\u001b[3~', '\u0008', '\u001b[A', '\u001bOH', 'x']) {
        const before = received.length;
        ui.stdin.write(sequence);
        await until(() => received.length > before);
        expect(received.slice(before).join('')).toBe(sequence);
      }
      // DEL and Delete arrive as different strings (ink's useInput reports both as the same key)
      expect(received).toContain('\u007f');
      expect(received).toContain('\u001b[3~');
    } finally {
      ui.unmount();
    }
  });
});
