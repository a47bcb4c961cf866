#!/usr/bin/env node
/**
 * Generates `src/catalog/schemas.generated.json`: one JSON Schema (draft 2020-12) per catalog stream, inferred
 * from Stripe's example object for the stream's `objectType`.
 *
 *   node scripts/gen-schemas.mjs [--fixtures <fixtures.json>] [--catalog <streams.ts>] [--out <file>]
 *
 * Defaults: fixtures from $STRIPE_FIXTURES or scripts/data/fixtures3.json (a copy of shared/stripe/fixtures3.json), catalog src/catalog/streams.ts,
 * output src/catalog/schemas.generated.json. Plain Node, no dependencies: the catalog is TypeScript, so its
 * `name`/`objectType` pairs are read out of the source text, and the script fails when that parse looks wrong or
 * when a stream has no example object.
 *
 * Stripe's examples are minimal and mostly null, so the schemas are deliberately loose: a null example gives no
 * type constraint, every inferred type also allows null (a value shown in the example may be null in real data),
 * and every object allows additional properties (Stripe adds fields without a new API version).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_FIXTURES = process.env.STRIPE_FIXTURES ?? fileURLToPath(new URL('./data/fixtures3.json', import.meta.url));
export const DEFAULT_CATALOG = resolve(ROOT, 'src/catalog/streams.ts');
export const DEFAULT_OUT = resolve(ROOT, 'src/catalog/schemas.generated.json');

export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';
export const NULL_EXAMPLE = "nullable; type not shown in Stripe's example";

/**
 * Fields Stripe types as `number` (decimals) whose example happens to be a whole number, so inference alone
 * would say `integer` and reject real data such as a tax rate of 8.875%. Matched by field name at any depth;
 * widening `integer` to `number` never rejects a value the narrower type accepted.
 */
const DECIMAL_FIELDS = new Set(['percentage', 'effective_percentage', 'percent_off', 'height', 'length', 'weight', 'width']);

/**
 * Paths (from the top object, `.`-joined) whose example shows just one of many possible shapes; they get this
 * schema instead of an inferred one. An event's `data.object` is whatever object the event is about (the example
 * shows a plan), rendered at the event's own API version.
 */
const SHAPE_OVERRIDES = {
  event: {
    'data.object': {
      type: 'object',
      additionalProperties: true,
      description: "The object the event is about; its shape depends on the event's type and api_version.",
    },
  },
};

/** Reads the `name`/`objectType` pair of every `row({...})` in the catalog source. Throws when the parse looks off. */
export function parseCatalog(source) {
  const start = source.indexOf('export const STREAMS = [');
  const end = source.indexOf('] as const;', start);
  if (start < 0 || end < 0) throw new Error('gen-schemas: cannot find `export const STREAMS = [ ... ] as const;` in the catalog');
  const blocks = source.slice(start, end).split(/\brow\(\{/).slice(1);
  if (blocks.length === 0) throw new Error('gen-schemas: found no row({...}) in the catalog');
  const rows = blocks.map((block, i) => {
    const name = /\bname:\s*'([^']+)'/.exec(block)?.[1];
    const objectType = /\bobjectType:\s*'([^']+)'/.exec(block)?.[1];
    if (!name || !objectType) {
      throw new Error(`gen-schemas: catalog row ${i + 1} has no literal name/objectType: ${block.slice(0, 120).trim()}...`);
    }
    return { name, objectType };
  });
  const seen = new Set();
  for (const { name } of rows) {
    if (seen.has(name)) throw new Error(`gen-schemas: stream ${name} appears twice in the catalog`);
    seen.add(name);
  }
  return rows;
}

function nullable(type) {
  return [type, 'null'];
}

function inferType(value, key) {
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) && !DECIMAL_FIELDS.has(key) ? 'integer' : 'number';
  if (Array.isArray(value)) return 'array';
  return 'object';
}

/** Schema of one example value. `path` is the `.`-joined path from the top object (`[]` for array items). */
function schemaOf(value, key, path, overrides) {
  const override = overrides[path];
  if (override) return structuredClone(override);
  if (value === null || value === undefined) return { description: NULL_EXAMPLE };
  const type = inferType(value, key);
  const schema = { type: nullable(type) };
  if (type === 'array') {
    if (value.length > 0) schema.items = schemaOf(value[0], key, `${path}[]`, overrides);
  } else if (type === 'object') {
    const properties = propertiesOf(value, path, overrides);
    if (Object.keys(properties).length > 0) schema.properties = properties;
    schema.additionalProperties = true;
  }
  return schema;
}

function propertiesOf(object, path, overrides) {
  const properties = {};
  for (const key of Object.keys(object).sort()) {
    properties[key] = schemaOf(object[key], key, path ? `${path}.${key}` : key, overrides);
  }
  return properties;
}

/** The schema of one stream, from Stripe's example object of its `objectType`. */
export function streamSchema(name, objectType, example) {
  if (example === null || typeof example !== 'object' || Array.isArray(example)) {
    throw new Error(`gen-schemas: the example for ${objectType} (stream ${name}) is not an object`);
  }
  if (example.object !== objectType) {
    throw new Error(`gen-schemas: the example for ${objectType} (stream ${name}) has object ${JSON.stringify(example.object)}`);
  }
  if (typeof example.id !== 'string') {
    throw new Error(`gen-schemas: the example for ${objectType} (stream ${name}) has no string id`);
  }
  const hasCreated = Object.hasOwn(example, 'created');
  if (hasCreated && !Number.isInteger(example.created)) {
    throw new Error(`gen-schemas: the example for ${objectType} (stream ${name}) has a non-integer created`);
  }
  const properties = propertiesOf(example, '', SHAPE_OVERRIDES[objectType] ?? {});
  properties.id = { type: 'string' };
  properties.object = { type: 'string', const: objectType };
  if (hasCreated) properties.created = { type: nullable('integer') };
  return {
    $schema: SCHEMA_DIALECT,
    title: name,
    'x-stripe-object': objectType,
    type: 'object',
    required: hasCreated ? ['id', 'object', 'created'] : ['id', 'object'],
    properties,
    additionalProperties: true,
  };
}

/**
 * `{ <stream>: <schema> }` for every catalog row, keys sorted. Throws, naming every stream concerned, when a
 * stream's objectType has no example in `fixtures` (`{ resources: { <objectType>: <example> } }`).
 */
export function buildSchemas(rows, fixtures) {
  const resources = fixtures?.resources;
  if (!resources || typeof resources !== 'object') throw new Error('gen-schemas: fixtures have no `resources` object');
  const missing = rows.filter((r) => !Object.hasOwn(resources, r.objectType));
  if (missing.length > 0) {
    throw new Error(
      `gen-schemas: no example object in the fixtures for ${missing.map((r) => `${r.name} (${r.objectType})`).join(', ')}`,
    );
  }
  const out = {};
  for (const { name, objectType } of [...rows].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    out[name] = streamSchema(name, objectType, resources[objectType]);
  }
  return out;
}

/** The file's exact text: 2-space indentation and a final newline. */
export function render(schemas) {
  return `${JSON.stringify(schemas, null, 2)}\n`;
}

/** Reads catalog and fixtures from disk and returns the text of the generated file. */
export function generate({ catalog = DEFAULT_CATALOG, fixtures = DEFAULT_FIXTURES } = {}) {
  const rows = parseCatalog(readFileSync(catalog, 'utf8'));
  let parsed;
  try {
    parsed = JSON.parse(readFileSync(fixtures, 'utf8'));
  } catch (err) {
    throw new Error(`gen-schemas: cannot read fixtures ${fixtures}: ${err.message}`);
  }
  return { rows, text: render(buildSchemas(rows, parsed)) };
}

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const key = { '--fixtures': 'fixtures', '--catalog': 'catalog', '--out': 'out' }[flag];
    const value = argv[i + 1];
    if (!key || value === undefined) throw new Error(`gen-schemas: unknown or incomplete argument ${flag}`);
    opts[key] = resolve(value);
    i++;
  }
  return opts;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    const opts = parseArgs(process.argv.slice(2));
    const out = opts.out ?? DEFAULT_OUT;
    const { rows, text } = generate(opts);
    writeFileSync(out, text);
    console.log(`gen-schemas: wrote ${rows.length} stream schemas to ${out}`);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  }
}
