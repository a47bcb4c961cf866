import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    // One copy of shared modules for both entries, so `stripe-source/testing` throws the very error
    // classes `stripe-source` exports (instanceof works across the two).
    splitting: true,
    // p-retry is ESM only; the CommonJS build carries its own copy so `require('stripe-source')` works.
    noExternal: ['p-retry', 'is-network-error'],
  },
  {
    // Not part of the package's API (the exports map does not reach it): the piecewise JSON parser on its
    // own, for bench/floor.mjs's bare client, so that the floor it measures parses as the library does.
    entry: { 'internal/json-bytes': 'src/http/json-bytes.ts' },
    format: ['esm'],
    target: 'node20',
  },
  {
    // The command line is ESM only and needs no declarations.
    entry: { 'cli/main': 'src/cli/main.ts', 'cli/tap': 'src/cli/tap.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
