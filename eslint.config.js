// Lint rules: typescript-eslint's type-checked recommended set, and the direction imports may point (CONTRIBUTING.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/** Imports a layer may not make: the arrow goes cli -> main -> app -> resources/web/fhir/oauth/relay -> auth -> store -> db -> config -> errors. */
const forbid = (...groups) => ({
  'no-restricted-imports': ['error', { patterns: groups.map((group) => ({ group, message: 'imports point one way (CONTRIBUTING.md)' })) }],
});
const ABOVE_STORE = [
  '**/auth/*',
  '**/web/*',
  '**/resources/*',
  '**/cli/*',
  '**/app.ts',
  '**/main.ts',
  '**/cluster.ts',
  '**/fhir/*',
  '**/relay/*',
  '**/audit/*',
  '**/oauth/*',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'data/', 'test-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.js', 'src/auth/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        fetch: 'readonly',
        Blob: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // node:test's test/describe/it return promises the runner itself awaits.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['test', 'it', 'describe', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      // Fastify plugins and handlers are async by contract (a plugin without await, a handler returning its value).
      '@typescript-eslint/require-await': 'off',
    },
  },
  // Plain JavaScript (the launcher, scripts, the bcrypt worker) has no types to check against.
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  // Layout is Prettier's (npm run format); ESLint keeps to what the code means.
  prettier,
  { files: ['src/config.ts'], rules: forbid(['./*', '!./errors.ts', '!./config-file.ts', '!./database-url.ts', '!./data-dir.ts']) },
  { files: ['src/config-file.ts', 'src/database-url.ts'], rules: forbid(['./*', '!./errors.ts']) },
  { files: ['src/errors.ts', 'src/paths.ts', 'src/data-dir.ts'], rules: forbid(['./*', '../*']) },
  {
    files: ['src/startup/**'],
    rules: forbid(['**/auth/*', '**/web/*', '**/resources/*', '**/cli/*', '**/app.ts', '**/main.ts', '**/cluster.ts']),
  },
  { files: ['src/db/**'], rules: forbid(ABOVE_STORE, ['**/store/*']) },
  { files: ['src/store/**'], rules: forbid(ABOVE_STORE) },
  {
    files: ['src/auth/**'],
    rules: forbid(['**/web/*', '**/resources/*', '**/fhir/*', '**/oauth/*', '**/cli/*', '**/app.ts', '**/main.ts', '**/cluster.ts']),
  },
  { files: ['src/fhir/**'], rules: forbid(['**/web/*', '**/resources/*', '**/cli/*', '**/app.ts', '**/main.ts', '**/cluster.ts']) },
  {
    files: ['src/oauth/**'],
    rules: forbid(['**/web/*', '**/resources/*', '**/fhir/*', '**/cli/*', '**/app.ts', '**/main.ts', '**/cluster.ts']),
  },
  {
    files: ['src/metrics/**', 'src/openapi/**'],
    rules: forbid(['**/auth/*', '**/web/*', '**/resources/*', '**/cli/*', '**/app.ts', '**/main.ts', '**/cluster.ts']),
  },
  { files: ['src/resources/**', 'src/web/**', 'src/relay/**'], rules: forbid(['**/cli/*', '**/app.ts', '**/main.ts', '**/cluster.ts']) },
);
