import { jsonSchemaFor } from '../catalog/schemas.js';
import type { StreamName } from '../catalog/streams.js';
import type { JsonSchema, JsonValue } from '../types.js';

/**
 * A stream's JSON Schema as Singer and Airbyte get it. The catalog's schemas are draft 2020-12 but use only
 * keywords that draft-04 and draft-07 share (type, properties, items, required, const, description), so
 * dropping `$schema` lets a framework validate with its own draft. `required` keeps `id` and `object`
 * only, and `deleted` is declared, because a delete travels as a record `{"id", "object", "deleted": true}`
 * without the other fields.
 */
export function protocolRecordSchema(options: { stream: StreamName; extraProperties?: Readonly<Record<string, JsonSchema>> }): JsonSchema {
  const { $schema: _dialect, 'x-stripe-object': _object, required: _required, properties, ...rest } = jsonSchemaFor(options.stream);
  return {
    ...structuredClone(rest) as Record<string, JsonValue>,
    required: ['id', 'object'],
    properties: {
      ...structuredClone(properties as Record<string, JsonValue>),
      deleted: { type: ['boolean', 'null'], description: 'true on a record that stands for an object Stripe deleted.' },
      ...options.extraProperties,
    },
  };
}
