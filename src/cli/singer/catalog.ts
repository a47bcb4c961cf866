import { getStream, isStreamName, STREAMS, type StreamName } from '../../catalog/streams.js';
import type { JsonSchema, JsonValue } from '../../types.js';
import { InputFileError } from '../input-errors.js';
import { protocolRecordSchema } from '../protocol-schema.js';

/** The record field Singer calls the replication key: `created` (`date` for invoice items), none for children. */
export function replicationKey(stream: StreamName): string | undefined {
  const def = getStream(stream);
  return def.cursorField === null ? undefined : def.createdField;
}

interface SingerMetadataEntry {
  readonly breadcrumb: readonly string[];
  readonly metadata: { readonly [key: string]: JsonValue };
}

export interface SingerCatalogStream {
  readonly tap_stream_id: string;
  readonly stream: string;
  readonly schema: JsonSchema;
  readonly key_properties: readonly string[];
  readonly replication_method: 'INCREMENTAL';
  readonly replication_key?: string;
  readonly metadata: readonly SingerMetadataEntry[];
}

/**
 * The `--discover` catalog: every stream, none selected. Replication is INCREMENTAL for all of them: the
 * STATE resumes each stream's read and then follows its changes, children included (through their parent).
 */
export function singerCatalog(): { streams: SingerCatalogStream[] } {
  return {
    streams: STREAMS.map((def) => {
      const name = def.name as StreamName;
      const schema = protocolRecordSchema({ stream: name });
      const key = replicationKey(name);
      const properties = Object.keys((schema.properties ?? {}) as Record<string, JsonValue>);
      return {
        tap_stream_id: name,
        stream: name,
        schema,
        key_properties: def.primaryKey,
        replication_method: 'INCREMENTAL' as const,
        ...(key ? { replication_key: key } : {}),
        metadata: [
          {
            breadcrumb: [],
            metadata: {
              inclusion: 'available',
              'selected-by-default': true,
              'table-key-properties': [...def.primaryKey],
              'forced-replication-method': 'INCREMENTAL',
              'valid-replication-keys': key ? [key] : [],
              ...(def.parent ? { 'parent-tap-stream-id': def.parent.stream } : {}),
            },
          },
          ...properties.map((property) => ({
            breadcrumb: ['properties', property],
            metadata: { inclusion: def.primaryKey.includes(property) ? 'automatic' : 'available' },
          })),
        ],
      };
    }),
  };
}

/**
 * The streams a `--catalog` selects: those whose stream-level metadata (breadcrumb `[]`) says
 * `selected: true`, or, when the metadata does not say, whose legacy top-level `selected` is true.
 */
export function selectedStreams(catalog: unknown, path: string): StreamName[] {
  const streams = (catalog as { streams?: unknown } | null)?.streams;
  if (typeof catalog !== 'object' || catalog === null || !Array.isArray(streams)) {
    throw new InputFileError(`catalog ${path} must be an object with a "streams" array, as --discover prints it.`);
  }
  const selected: StreamName[] = [];
  for (const [i, entry] of streams.entries()) {
    const e = (entry ?? {}) as { tap_stream_id?: unknown; stream?: unknown; selected?: unknown; metadata?: unknown };
    const name = e.tap_stream_id ?? e.stream;
    if (typeof name !== 'string') throw new InputFileError(`catalog ${path}: streams[${i}] has no "tap_stream_id".`);
    if (!isStreamName(name)) throw new InputFileError(`catalog ${path}: unknown stream "${name}". Run --discover for the streams this tap has.`);
    const top = Array.isArray(e.metadata)
      ? (e.metadata as SingerMetadataEntry[]).find((m) => Array.isArray(m?.breadcrumb) && m.breadcrumb.length === 0)?.metadata
      : undefined;
    const flag = top?.selected ?? e.selected;
    if (flag === true && !selected.includes(name)) selected.push(name);
  }
  if (selected.length === 0) {
    throw new InputFileError(`catalog ${path} selects no stream: set "selected": true in a stream's metadata with breadcrumb [] (meltano select does this).`);
  }
  return selected;
}
