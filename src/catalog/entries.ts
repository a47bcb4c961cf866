import type { CatalogEntry } from '../types.js';
import { jsonSchemaFor } from './schemas.js';
import { STREAMS, type StreamDefinition, type StreamName } from './streams.js';

/** The public view of the stream table, each stream with its JSON Schema. */
export function catalogEntries(): CatalogEntry[] {
  return STREAMS.map((def: StreamDefinition) => ({
    name: def.name as StreamName,
    objectType: def.objectType,
    primaryKey: def.primaryKey,
    cursorField: def.cursorField === null ? null : def.createdField,
    path: def.path,
    params: def.params,
    partitions: def.partitions ?? null,
    parent: (def.parent?.stream as StreamName | undefined) ?? null,
    changes: def.changes,
    description: def.description,
    jsonSchema: jsonSchemaFor(def.name as StreamName),
  }));
}
