import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonSchemaFor } from '../../src/catalog/schemas.js';
import { STREAMS } from '../../src/catalog/streams.js';
import type { JsonValue } from '../../src/types.js';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const SCRIPT = join(ROOT, 'scripts/gen-schemas.mjs');
const GENERATED = join(ROOT, 'src/catalog/schemas.generated.json');
const FIXTURES = process.env.STRIPE_FIXTURES ?? join(ROOT, 'scripts/data/fixtures3.json');

const tmp = mkdtempSync(join(tmpdir(), 'gen-schemas-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type JsonObject = { readonly [key: string]: JsonValue };
const isObject = (v: JsonValue | undefined): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function typeOf(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Errors of `value` against the keywords the generator uses (type, const, required, properties, items). */
function validate(schema: JsonValue | undefined, value: JsonValue, path = '$'): string[] {
  if (!isObject(schema)) return [];
  const errors: string[] = [];
  const t = schema.type;
  if (t !== undefined) {
    const allowed = Array.isArray(t) ? t : [t];
    const actual = typeOf(value);
    if (!allowed.includes(actual) && !(actual === 'integer' && allowed.includes('number'))) {
      errors.push(`${path}: ${actual} is not ${allowed.join('|')}`);
    }
  }
  if (schema.const !== undefined && schema.const !== value) errors.push(`${path}: not ${JSON.stringify(schema.const)}`);
  if (isObject(value)) {
    const required = schema.required;
    if (Array.isArray(required)) {
      for (const key of required) if (typeof key === 'string' && !(key in value)) errors.push(`${path}: no ${key}`);
    }
    const props = schema.properties;
    if (isObject(props)) {
      for (const [key, v] of Object.entries(value)) errors.push(...validate(props[key], v, `${path}.${key}`));
    }
  }
  if (Array.isArray(value)) value.forEach((v, i) => errors.push(...validate(schema.items, v, `${path}[${i}]`)));
  return errors;
}

function runGenerator(...args: string[]) {
  return spawnSync(process.execPath, [SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8' });
}

describe('stream JSON Schemas', () => {
  const fixtures = JSON.parse(readFileSync(FIXTURES, 'utf8')) as { resources: Record<string, JsonValue> };

  it('has a schema for every catalog stream and none for anything else', () => {
    const generated = JSON.parse(readFileSync(GENERATED, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(generated).sort()).toEqual(STREAMS.map((s) => s.name).sort());
  });

  it.each(STREAMS.map((s) => [s.name, s] as const))('%s: object const, required, metadata', (name, def) => {
    const schema = jsonSchemaFor(name);
    const properties = schema.properties;
    expect(isObject(properties)).toBe(true);
    if (!isObject(properties)) return;
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe(name);
    expect(schema['x-stripe-object']).toBe(def.objectType);
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(true);
    expect(properties.object).toEqual({ type: 'string', const: def.objectType });
    expect(properties.id).toEqual({ type: 'string' });
    expect(schema.required).toEqual(expect.arrayContaining(['id', 'object']));
    // `created` is required exactly when Stripe's example has it.
    const example = fixtures.resources[def.objectType];
    const hasCreated = isObject(example) && 'created' in example;
    expect((schema.required as readonly string[]).includes('created')).toBe(hasCreated);
  });

  it.each(STREAMS.map((s) => [s.name, s.objectType] as const))("%s: Stripe's example validates", (name, objectType) => {
    const example = fixtures.resources[objectType];
    expect(example).toBeDefined();
    expect(validate(jsonSchemaFor(name), example ?? null)).toEqual([]);
  });

  it('rejects wrong types, a wrong object and missing ids, and lets null and new fields through', () => {
    const schema = jsonSchemaFor('customers');
    const ok = { id: 'cus_1', object: 'customer', created: 1, email: null, new_field: { x: 1 } };
    expect(validate(schema, ok)).toEqual([]);
    expect(validate(schema, { ...ok, object: 'charge' })).not.toEqual([]);
    expect(validate(schema, { ...ok, created: '1' })).not.toEqual([]);
    expect(validate(schema, { object: 'customer', created: 1 })).not.toEqual([]);
    expect(validate(schema, { ...ok, livemode: 'no' })).not.toEqual([]);
  });

  it('marks fields Stripe shows as null as untyped, and widens decimals shown as whole numbers', () => {
    const customer = jsonSchemaFor('customers').properties as JsonObject;
    expect(customer.email).toEqual({ description: "nullable; type not shown in Stripe's example" });
    const taxRate = jsonSchemaFor('tax_rates').properties as JsonObject;
    expect(validate(taxRate.percentage, 8.875)).toEqual([]);
  });

  it("doesn't type an event's data.object after the one example (a plan)", () => {
    const data = (jsonSchemaFor('events').properties as JsonObject).data as JsonObject;
    const object = (data.properties as JsonObject).object as JsonObject;
    expect(object.properties).toBeUndefined();
    expect(validate(object, { id: 'cus_1', object: 'customer', active: 'not a boolean' })).toEqual([]);
  });

  it('hands out frozen schemas', () => {
    const schema = jsonSchemaFor('charges') as { properties: { id: { type: string } } };
    expect(Object.isFrozen(schema)).toBe(true);
    expect(() => {
      schema.properties.id.type = 'integer';
    }).toThrow(TypeError);
    expect((jsonSchemaFor('charges').properties as JsonObject).id).toEqual({ type: 'string' });
    expect(() => jsonSchemaFor('nope' as never)).toThrow(/no JSON Schema/);
  });

  it('the committed file is what the generator makes now', () => {
    const out = join(tmp, 'schemas.json');
    execFileSync(process.execPath, [SCRIPT, '--fixtures', FIXTURES, '--out', out], { cwd: ROOT });
    expect(readFileSync(out, 'utf8')).toBe(readFileSync(GENERATED, 'utf8'));
  });

  it('the generator fails, naming the stream, when a catalog stream has no example', () => {
    const { line_item: _dropped, ...rest } = fixtures.resources;
    const partial = join(tmp, 'partial-fixtures.json');
    writeFileSync(partial, JSON.stringify({ resources: rest }));
    const out = join(tmp, 'never.json');
    const result = runGenerator('--fixtures', partial, '--out', out);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('invoice_line_items (line_item)');
    expect(existsSync(out)).toBe(false);
  });

  it('the generator fails when the catalog has a row it cannot read', () => {
    const source = readFileSync(join(ROOT, 'src/catalog/streams.ts'), 'utf8');
    const broken = source.replace("objectType: 'customer'", 'objectType: CUSTOMER');
    expect(broken).not.toBe(source);
    const catalog = join(tmp, 'streams.ts');
    writeFileSync(catalog, broken);
    const result = runGenerator('--fixtures', FIXTURES, '--catalog', catalog, '--out', join(tmp, 'never2.json'));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/no literal name\/objectType/);
  });
});
