/**
 * JSON Schemas (draft 2020-12) of the streams' records, generated from Stripe's example objects by
 * `node scripts/gen-schemas.mjs` into `schemas.generated.json` (don't edit that file by hand).
 *
 * The schemas are loose on purpose: Stripe's examples are mostly null, so a field shown as null has no type
 * constraint, every inferred type also allows null, and every object allows additional properties.
 */
import generated from './schemas.generated.json' with { type: 'json' };
import type { JsonSchema, JsonValue } from '../types.js';
import type { StreamName } from './streams.js';

function deepFreeze<T extends JsonValue>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

// Typed against the catalog: a stream without a schema in the generated file fails to compile.
const SCHEMAS: Readonly<Record<StreamName, JsonSchema>> = deepFreeze(generated);

/**
 * The JSON Schema of a stream's records. The returned object is deeply frozen and shared; copy it
 * (`structuredClone`) to change it.
 */
export function jsonSchemaFor(stream: StreamName): JsonSchema {
  const schema = Object.hasOwn(SCHEMAS, stream) ? SCHEMAS[stream] : undefined;
  if (!schema) throw new Error(`no JSON Schema for stream ${String(stream)}`);
  return schema;
}
