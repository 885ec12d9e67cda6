// The linter keeps the layers apart (see ARCHITECTURE.md): the model core, the run store and the
// trainer run outside VS Code (CLI, child process), so they must never reach for `vscode`; the
// model core also runs on the extension host's only thread in untrusted workspaces, so it never
// loads tfjs. Promises are never left floating: an unobserved rejection in the extension host is
// a silent failure for the user.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = {
  name: 'vscode',
  message: 'src/model, src/runs, src/trainer and src/keras run outside VS Code (CLI, trainer process); pass what they need in from src/extension.',
};
const tfjsPackages = ['@tensorflow/tfjs', '@tensorflow/tfjs-*', '@tensorflow/tfjs-*/**'];

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', '.e2e/**', '.test-artifacts/**', 'webview/dist/**', 'test/**/fixtures/**', 'samples/**', '**/*.model.ts'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // Optional and heavy modules (tfjs-node, the TypeScript compiler, the evaluator) are loaded
      // with a lazy `require` on first use, on purpose: see src/model/compiler.ts.
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/runs/**/*.ts', 'src/trainer/**/*.ts', 'src/util/**/*.ts', 'src/runtime/**/*.ts', 'src/keras/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [noVscode] }],
    },
  },
  {
    files: ['src/model/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [noVscode],
          patterns: [
            {
              group: tfjsPackages,
              message: 'src/model computes shapes without tfjs: it runs on the extension host in untrusted workspaces. Put tfjs code in src/trainer.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', require: 'readonly', module: 'readonly', __dirname: 'readonly' } },
  },
);
