import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** What a lower layer must not know: how it is shown (UI libraries) and the layers above it. */
const UI_LIBRARIES = ['ink', 'react', 'chalk', 'commander'];
const upperLayers = (names) => ({ group: names.map((name) => `**/${name}/**`), message: 'a lower layer never imports an upper one (README, Development): pass what it needs in.' });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'test/bench/**', 'src/**/*.generated.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: { 'no-console': 'error' },
  },
  {
    // The engine, the SETD emulator and the labs never know how they are shown, nor who drives them.
    files: ['src/engine/**', 'src/setd/**', 'src/lab/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: UI_LIBRARIES, patterns: [{ group: UI_LIBRARIES.map((l) => `${l}/*`) }, upperLayers(['ui', 'cli', 'commands', 'conversation', 'web'])] }],
    },
  },
  {
    // ...and the engine knows nothing of the SETD emulator either: it is a service the appliance journals to.
    files: ['src/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: UI_LIBRARIES, patterns: [{ group: UI_LIBRARIES.map((l) => `${l}/*`) }, upperLayers(['ui', 'cli', 'commands', 'conversation', 'web', 'setd', 'lab'])] },
      ],
    },
  },
  {
    // What front ends hand the commands: it knows no front end.
    files: ['src/conversation/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: UI_LIBRARIES, patterns: [{ group: UI_LIBRARIES.map((l) => `${l}/*`) }, upperLayers(['ui', 'cli', 'web'])] }],
    },
  },
  {
    // Commands talk through the Conversation and their context: the same code serves every front end.
    files: ['src/commands/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: UI_LIBRARIES, patterns: [{ group: UI_LIBRARIES.map((l) => `${l}/*`) }, upperLayers(['ui', 'cli', 'web'])] }],
    },
  },
  {
    // typed rules: a promise nobody awaits loses its error (an unhandled rejection stops the process)
    files: ['src/**/*.ts', 'src/**/*.tsx', 'test/**/*.ts', 'test/**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setInterval: 'readonly', setTimeout: 'readonly', URL: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
