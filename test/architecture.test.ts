import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * The layers of DESIGN.md "Shape", read from the source: which module of src/ imports which. Lint
 * holds most of them as it edits; this holds them on the files themselves, including dynamic
 * imports, and names each import that breaks a rule.
 */

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every import of a module of src/ that stays inside src/: [importer, imported], both relative to src/ with `.ts`. */
function sourceImports(): [string, string][] {
  const edges: [string, string][] = [];
  for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!/\.tsx?$/.test(file) || file.endsWith('.generated.ts')) continue;
    const text = readFileSync(join(SRC, file), 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)'(\.{1,2}\/[^']+)'/gm)) {
      const target = relative(SRC, resolve(SRC, dirname(file), m[1]!)).replace(/\.js$/, '.ts');
      if (!target.startsWith('..')) edges.push([file, target]);
    }
  }
  return edges;
}

const edges = sourceImports();

/** The imports from `from` (a folder of src/) into `into` (folders or files of src/), as `importer -> imported`. */
function importsOf(from: string, into: string[], allowed: string[] = []): string[] {
  return edges.filter(([a, b]) => a.startsWith(`${from}/`) && into.some((i) => b === i || b.startsWith(`${i}/`)) && !allowed.includes(b)).map(([a, b]) => `${a} -> ${b}`);
}

describe('the layers of src/', () => {
  it('reads the imports of the source (the check below has something to check)', () => {
    expect(edges).toContainEqual(['ui/ink-shell.ts', 'commands/registry.ts']);
    expect(edges).toContainEqual(['cli/one-shot.ts', 'conversation/conversation.ts']);
  });

  it('the front ends take LineIO, Styles and the Conversation from src/conversation, never from a command file', () => {
    expect(importsOf('ui', ['commands'], ['commands/registry.ts', 'commands/types.ts'])).toEqual([]);
    expect(importsOf('cli', ['commands/dialog.ts'])).toEqual([]);
    expect(importsOf('web', ['commands/dialog.ts'])).toEqual([]);
  });

  it('src/conversation knows no front end: of the commands it shares only the rule for typed numbers', () => {
    expect(importsOf('conversation', ['ui', 'cli', 'web', 'ssh', 'api', 'lab', 'setd'])).toEqual([]);
    expect(importsOf('conversation', ['commands'], ['commands/numbers.ts'])).toEqual([]);
  });

  it('the engine imports nothing from the SETD emulator, the labs, the commands or any front end', () => {
    expect(importsOf('engine', ['setd', 'lab', 'commands', 'conversation', 'ui', 'cli', 'web', 'ssh', 'api'])).toEqual([]);
  });

  it('SSH and the API import no other front end (nor a command): the composition root passes in what they run', () => {
    expect(importsOf('ssh', ['ui', 'cli', 'web', 'api', 'commands'])).toEqual([]);
    expect(importsOf('api', ['ui', 'cli', 'web', 'ssh', 'commands'])).toEqual([]);
    expect(importsOf('ui', ['ssh', 'api'])).toEqual([]);
    expect(importsOf('web', ['ssh', 'api'])).toEqual([]);
    expect(edges).toContainEqual(['ssh/terminal.ts', 'conversation/line-editor.ts']);
  });

  it('the AsyncOS API imports no other front end, no command and no conversation: what it shares comes from the engine', () => {
    expect(importsOf('api', ['web', 'ui', 'cli', 'ssh', 'commands', 'conversation', 'lab', 'setd'])).toEqual([]);
    expect(importsOf('web', ['api'])).toEqual([]);
    expect(importsOf('ui', ['api'])).toEqual([]);
  });

  it('the web interface uses only the commands’ formatting helpers, never a command or its dialogs', () => {
    const formatting = ['commands/format/policy-table.ts', 'commands/format/numbers.ts', 'commands/format/hoststatus-screen.ts', 'commands/cluster-screens.ts'];
    expect(importsOf('web', ['commands'], formatting)).toEqual([]);
  });
});
