// Lint = the layer rule of DESIGN.md (nx module boundaries) plus a few correctness rules.
// Layers: a package imports only from packages on lower (or its own) layers.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const layers = [0, 1, 2, 3, 4, 5];
const depConstraints = [
  ...layers.map((layer) => ({
    sourceTag: `layer:${layer}`,
    onlyDependOnLibsWithTags: [...layers.filter((l) => l <= layer).map((l) => `layer:${l}`), 'type:test'],
  })),
  { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['*'] },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'docs/**', '.nx/**'] },
  {
    files: ['packages/*/src/**/*.ts', 'packages/*/test/**/*.ts'],
    languageOptions: { parser: tseslint.parser, parserOptions: { ecmaVersion: 2023, sourceType: 'module' } },
    plugins: { '@nx': nx, '@typescript-eslint': tseslint.plugin },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allowCircularSelfDependency: true, allow: [], depConstraints, checkDynamicDependenciesExceptions: [] },
      ],
      '@typescript-eslint/no-floating-promises': 'off',
      'no-restricted-syntax': [
        'error',
        { selector: 'ExportAllDeclaration', message: 'Name every export explicitly (no export *).' },
      ],
    },
  },
);
