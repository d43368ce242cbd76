// npm run lint (and scripts/test.sh before jest). Formatting is prettier's job (.prettierrc.json); this checks
// what prettier does not: promises nobody awaits, I/O in the workflow sandbox, and the size budget
// (line length, complexity, nesting, function length). README "Lint and format" lists the rules.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Lines prettier cannot break (strings, comments, test titles) still stay under 120 columns; a regular
// expression literal or a URL is read whole, so it may be longer.
const maxLen = ['error', { code: 119, tabWidth: 2, ignoreUrls: true, ignoreRegExpLiterals: true }];

// Modules that do I/O or read the host: never in code that runs in Temporal's workflow sandbox, where
// it would break determinism on replay (or fail the bundle at worker start, for some of them only then).
const ioModules = [
  ...builtinModules.filter((name) => !name.startsWith('_')),
  '@prisma/client',
  '@prisma/adapter-pg',
  'pg',
  'kafkajs',
  'nodemailer',
  'express',
  'swagger-ui-express',
  'rate-limiter-flexible',
  'jose',
  '@cedar-policy/cedar-wasm',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
  '@temporalio/testing',
  'pino',
  'prom-client',
];
const noIoImports = (restrictedRelative) => [
  'error',
  {
    paths: ioModules.map((name) => ({
      name,
      message: 'Workflow code runs in the deterministic sandbox: no Node built-ins or I/O modules.',
      allowTypeImports: true,
    })),
    patterns: [
      {
        regex: '^node:',
        message: 'Workflow code runs in the deterministic sandbox: no Node built-ins.',
      },
      ...restrictedRelative,
    ],
  },
];

// The sandbox's own files: workflows/ less the client side (client.ts and ticket-start.ts start and
// signal workflows from the API and the consumers, with @temporalio/client; they never run in the sandbox).
const sandboxFiles = ['workflows/**/*.ts'];
const clientSideFiles = ['workflows/*/client.ts', 'workflows/ticket-start.ts'];
// The pure modules the sandbox imports values from (its whole reach, checked when this was written).
const sandboxReachFiles = [
  'domain/messages/**/*.ts',
  'domain/search-attributes.ts',
  'domain/invitations.ts',
  'activities/failure-types.ts',
];
// Relative paths up to the repository's I/O layers. events/ is left out for the sandbox's reach, where
// domain/messages/events/ is a folder of pure schemas.
const ioLayers = (layers) => ({
  regex: `^(\\.\\./)+(${layers.join('|')})(/|$)`,
  message: 'The workflow sandbox may import only types from the I/O layers.',
  allowTypeImports: true,
});
const layers = ['platform', 'api', 'workers', 'bench', 'scripts', 'test'];
const activities = {
  // failure-types is the activities' shared error class, plain data with no I/O.
  regex: '(^|/)activities(/(?!failure-types$).*)?$',
  message: 'Workflows reach activities only through proxyActivities<Activities>(): import types only.',
  allowTypeImports: true,
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'dist/',
      'coverage/',
      '.stack/',
      '.scratch/',
      'screenshots/',
      'prisma/migrations/',
      'test/fixtures/',
    ],
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    extends: [js.configs.recommended],
    rules: { 'max-len': maxLen },
  },
  {
    files: ['api/pages/assets/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: { window: 'readonly', document: 'readonly', fetch: 'readonly', DOMParser: 'readonly' },
    },
  },
  {
    // Node's CommonJS scripts and configuration (the browser's script above is the only other JavaScript).
    files: ['**/*.{js,cjs}'],
    ignores: ['api/pages/assets/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        exports: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
  {
    files: ['**/*.ts'],
    // The untyped recommended set, plus the few type-aware rules worth their cost (promises). The
    // type-checked presets' no-unsafe-*, unbound-method, require-await and no-base-to-string were left out:
    // over 700 findings, nearly all at deliberate boundaries (JSON bodies in tests, String(unknown)).
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // tsc (strict) already checks types; `any` stays allowed where a boundary is untyped on purpose.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // The size budget (README "Lint and format"). A function over it is split, or says why not.
      'max-len': maxLen,
      complexity: ['error', 20],
      'max-depth': ['error', 4],
    },
  },
  {
    files: sandboxFiles,
    ignores: clientSideFiles,
    rules: {
      '@typescript-eslint/no-restricted-imports': noIoImports([
        ioLayers([...layers, 'events']),
        activities,
        {
          // Most domain modules read or write the database; these few are pure (values, schemas).
          regex: '^(\\.\\./)+domain/(?!messages/|search-attributes$|invitations$)',
          message: 'This domain module does I/O: the workflow sandbox may import its types only.',
          allowTypeImports: true,
        },
        {
          regex: '^\\.{1,2}/(.*/)?(client|ticket-start)$',
          message: 'Client-side code (@temporalio/client) never runs in the workflow sandbox.',
          allowTypeImports: true,
        },
      ]),
    },
  },
  {
    files: sandboxReachFiles,
    rules: { '@typescript-eslint/no-restricted-imports': noIoImports([ioLayers(layers), activities]) },
  },
);
