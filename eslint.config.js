import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * Imports point one way: main.ts → core.ts → http, cli → admin → apps → webhooks → refresh →
 * connections → vault → audit → tiktok, db → shared. db/ maps rows to the domain's types, so it may
 * import types (never code) from connections, audit and webhooks. The simulator uses only tiktok and shared;
 * nothing imports main, and only main and the CLI import core (the composition root). Only db/ talks
 * to Prisma.
 */
const layers = ['admin', 'apps', 'webhooks', 'refresh', 'connections', 'vault', 'audit'];
const entry = ['http', 'cli', 'simulator'];
/** A src folder (`../db/…`), or a top-level module (`../config.js`); never a sibling file of the same name. */
const folder = (name) => `(^|/)(\\.\\./)+(${name}/|${name}\\.js$)`;
const forbid = (names, why, options = {}) => ({ regex: `(${names.map(folder).join('|')})`, message: why, ...options });
const roots = forbid(['main', 'core'], 'Nothing imports main.ts, and only main.ts and the CLI import core.ts (the composition root).');
const prisma = { regex: '(^@prisma/|/generated/)', message: 'Only src/db talks to Prisma: use a store.' };
const rule = (names, why, top = roots) => ({
  'no-restricted-imports': ['error', { patterns: [forbid(names, why), top, prisma] }],
});
const fromDomain = (index) => rule(
  [...layers.slice(0, index + 1).filter((_, i) => i !== index), ...entry],
  `src/${layers[index]} may import only the domain folders to its right (${layers.slice(index + 1).join(', ') || 'none'}), tiktok, db and shared.`,
);

export default tseslint.config(
  { ignores: ['node_modules', 'src/db/generated', 'data', 'coverage', 'proof/out', 'dist*'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
    },
  },
  ...layers.map((name, index) => ({ files: [`src/${name}/**/*.ts`], rules: fromDomain(index) })),
  { files: ['src/tiktok/**/*.ts'], rules: rule([...layers, ...entry, 'db'], 'src/tiktok is a protocol library: it imports only shared.') },
  {
    files: ['src/db/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          forbid([...layers.filter((name) => !['connections', 'audit', 'webhooks'].includes(name)), ...entry, 'tiktok'], 'src/db imports only shared (and types of connections, audit and webhooks).'),
          forbid(['connections', 'audit', 'webhooks'], 'src/db may import only types from connections, audit and webhooks (the shapes it maps rows to).', { allowTypeImports: true }),
          roots,
        ],
      }],
    },
  },
  { files: ['src/shared/**/*.ts'], rules: rule([...layers, ...entry, 'tiktok', 'db', 'config'], 'src/shared is the leaf: it imports nothing of the service.') },
  { files: ['src/simulator/**/*.ts'], rules: rule([...layers, 'http', 'cli', 'db', 'config'], 'The simulator imports only tiktok and shared.') },
  { files: ['src/http/**/*.ts'], rules: rule(['cli', 'simulator', 'db'], 'http must not import cli, the simulator (main.ts mounts it) or db (the core hands it services).') },
  { files: ['src/cli/**/*.ts'], rules: rule(['http', 'simulator'], 'cli must not import http or the simulator.', forbid(['main'], 'Nothing imports main.ts.')) },
  { files: ['src/config.ts', 'src/dev-secrets.ts'], rules: rule([...layers, ...entry, 'db', 'tiktok'], 'Configuration imports only shared.') },
);
