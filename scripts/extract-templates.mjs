#!/usr/bin/env node
/**
 * Writes src/testing/templates.json: Stripe's own example object for every object type the fake Stripe
 * generates, taken from Stripe's OpenAPI fixtures (../shared/stripe/fixtures3.json, not shipped).
 *
 * The object types come from the catalog itself (src/catalog/streams.ts), so adding a stream to the catalog
 * and re-running this script is all the fake needs. The catalog is TypeScript; it has no imports, so it is
 * transpiled in memory with the `typescript` dev dependency and imported from a data: URL.
 *
 *   node scripts/extract-templates.mjs [path/to/fixtures3.json]
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixturesPath = resolve(root, process.argv[2] ?? '../shared/stripe/fixtures3.json');
const catalogPath = resolve(root, 'src/catalog/streams.ts');
const outPath = resolve(root, 'src/testing/templates.json');

/** Object types the fake serves outside the stream table: `GET /v1/account`, and the events it records. */
const EXTRA_TYPES = ['account', 'event'];

async function catalogObjectTypes() {
  const source = await readFile(catalogPath, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const catalog = await import(`data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`);
  return catalog.STREAMS.map((stream) => stream.objectType);
}

const fixtures = JSON.parse(await readFile(fixturesPath, 'utf8'));
const types = [...new Set([...(await catalogObjectTypes()), ...EXTRA_TYPES])].sort();
const missing = types.filter((type) => !(type in fixtures.resources));
if (missing.length > 0) {
  console.error(`fixtures have no example for: ${missing.join(', ')}`);
  process.exit(1);
}

const templates = Object.fromEntries(types.map((type) => [type, fixtures.resources[type]]));
await writeFile(outPath, `${JSON.stringify(templates, null, 2)}\n`);
console.log(`wrote ${types.length} templates to ${outPath}`);
