// Lint for the whole project: Next's rules (core web vitals, TypeScript) and typescript-eslint's
// recommended set. `npm run lint` runs it, and `npm test` runs it before the suites.
import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTypescript from 'eslint-config-next/typescript';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['.next/**', '.data/**', 'node_modules/**', 'next-env.d.ts', 'coverage/**'],
  },
  ...nextVitals,
  ...nextTypescript,
  {
    rules: {
      // An unused value is a mistake; an argument or binding named _ is a declared "not needed".
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
);
