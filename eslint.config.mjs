// ESLint (flat config): typescript-eslint's type-aware recommended rules on every TypeScript
// file, React's hooks rules in the web app, and nothing about layout (Prettier owns that).
// `npm run lint` runs it with --max-warnings 0, and `npm test` runs `npm run lint`.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '.local/**', '.aws-sam/**', 'bench/results/**', 'test-results/**', 'coverage/**'],
  },
  js.configs.recommended,
  tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Lazy requires on purpose: an AWS SDK package loaded on first use (clients.ts), the
      // route table's schemas, which only functions that validate input load (routes.ts), and
      // the Tracer, loaded only where tracing is on (observability.ts).
      '@typescript-eslint/no-require-imports': ['error', { allow: ['^@aws-sdk/', '^\\./schemas$', '^\\./tracing$'] }],
      // An async function need not await: route functions and test doubles are async to return
      // the promise their interface expects.
      '@typescript-eslint/require-await': 'off',
      // `_`-prefixed names are deliberately unused (a destructured-away field, an ignored argument).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Tests and the benchmarks read JSON answers of whatever shape came back: `any` there is the point.
    files: ['**/*.test.ts', 'tests/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.{js,cjs,mjs}'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: globals.browser },
    rules: {
      // The rules of hooks; the plugin's React Compiler rules are for apps built with the compiler.
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      // onSubmit={async (e) => ...}: React ignores the promise, and each handler reports its own errors.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
    },
  },
  prettier,
);
