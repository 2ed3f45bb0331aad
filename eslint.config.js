import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * Imports point one way: main.ts → http, cli → admin → apps → refresh → connections → vault →
 * tiktok, db → shared. The simulator uses only tiktok and shared; nothing imports main, http or cli.
 */
const layers = ['admin', 'apps', 'refresh', 'connections', 'vault'];
const entry = ['http', 'cli', 'simulator'];
const folder = (name) => `(^|/)(\\.\\./)*${name}(/|\\.js$)`;
const forbid = (names, why) => ({ regex: `(${names.map(folder).join('|')})`, message: why });
const rule = (names, why) => ({
  'no-restricted-imports': ['error', { patterns: [forbid(names, why), forbid(['main'], 'Nothing imports main.ts (the composition root).')] }],
});
const fromDomain = (index) => rule(
  [...layers.slice(0, index + 1).filter((_, i) => i !== index), ...entry],
  `src/${layers[index]} may import only the domain folders to its right (${layers.slice(index + 1).join(', ') || 'none'}), tiktok, db and shared.`,
);

export default tseslint.config(
  { ignores: ['node_modules', 'src/db/generated', 'data', 'coverage'] },
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
  { files: ['src/db/**/*.ts'], rules: rule([...layers, ...entry, 'tiktok'], 'src/db imports only shared.') },
  { files: ['src/shared/**/*.ts'], rules: rule([...layers, ...entry, 'tiktok', 'db', 'config'], 'src/shared is the leaf: it imports nothing of the service.') },
  { files: ['src/simulator/**/*.ts'], rules: rule([...layers, 'http', 'cli', 'db', 'config'], 'The simulator imports only tiktok and shared.') },
  { files: ['src/http/**/*.ts'], rules: rule(['cli', 'simulator'], 'http must not import cli or the simulator (main.ts mounts it).') },
  { files: ['src/cli/**/*.ts'], rules: rule(['http', 'simulator'], 'cli must not import http or the simulator.') },
);
