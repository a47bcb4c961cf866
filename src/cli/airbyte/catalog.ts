import { getStream, isStreamName, STREAMS, type StreamName } from '../../catalog/streams.js';
import { InputFileError } from '../input-errors.js';
import { protocolRecordSchema } from '../protocol-schema.js';
import type { AirbyteStream } from './messages.js';

/**
 * Deletes travel as records with `_ab_cdc_deleted_at` set (Airbyte's change-data-capture convention), so
 * the catalog declares that column on every stream.
 */
export const CDC_DELETED_AT = '_ab_cdc_deleted_at';

export function airbyteStream(stream: StreamName): AirbyteStream {
  const def = getStream(stream);
  return {
    name: stream,
    json_schema: protocolRecordSchema({
      stream,
      extraProperties: { [CDC_DELETED_AT]: { type: ['null', 'string'], description: 'When the source saw the object deleted in Stripe (ISO 8601); null otherwise.' } },
    }),
    supported_sync_modes: ['full_refresh', 'incremental'],
    // The state, not a cursor column, says where to resume: it follows creations and, through events, changes.
    source_defined_cursor: true,
    default_cursor_field: def.cursorField === null ? [] : [def.createdField],
    source_defined_primary_key: def.primaryKey.map((key) => [key]),
    is_resumable: true,
  };
}

/** `discover`: every stream. */
export function airbyteCatalog(): { streams: AirbyteStream[] } {
  return { streams: STREAMS.map((def) => airbyteStream(def.name as StreamName)) };
}

export interface ConfiguredStream {
  readonly name: StreamName;
  readonly syncMode: 'full_refresh' | 'incremental';
}

/** The streams of a configured catalog (`read --catalog`) with their sync modes, checked. */
export function configuredStreams(catalog: unknown, path: string): ConfiguredStream[] {
  const streams = (catalog as { streams?: unknown } | null)?.streams;
  if (typeof catalog !== 'object' || catalog === null || !Array.isArray(streams)) {
    throw new InputFileError(`configured catalog ${path} must be an object with a "streams" array.`);
  }
  const out: ConfiguredStream[] = [];
  for (const [i, entry] of streams.entries()) {
    const e = (entry ?? {}) as { stream?: { name?: unknown }; sync_mode?: unknown };
    const name = e.stream?.name;
    if (typeof name !== 'string') throw new InputFileError(`configured catalog ${path}: streams[${i}].stream.name is missing.`);
    if (!isStreamName(name)) throw new InputFileError(`configured catalog ${path}: unknown stream "${name}". Run discover for the streams this source has.`);
    if (e.sync_mode !== 'full_refresh' && e.sync_mode !== 'incremental') {
      throw new InputFileError(`configured catalog ${path}: stream "${name}" has sync_mode ${JSON.stringify(e.sync_mode)}; use "full_refresh" or "incremental".`);
    }
    if (out.some((s) => s.name === name)) throw new InputFileError(`configured catalog ${path} lists stream "${name}" twice.`);
    out.push({ name, syncMode: e.sync_mode });
  }
  if (out.length === 0) throw new InputFileError(`configured catalog ${path} has no stream.`);
  return out;
}
