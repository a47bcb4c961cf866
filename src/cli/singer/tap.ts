import type { Writable } from 'node:stream';
import { getStream, STREAM_NAMES, type StreamName } from '../../catalog/streams.js';
import { JsonLineWriter } from '../line-writer.js';
import { readJsonFile, sourceFromConfig } from '../protocol-config.js';
import { forwardSourceEvents, type LogEntry } from '../protocol-events.js';
import { protocolRecordSchema } from '../protocol-schema.js';
import { replicationKey, selectedStreams, singerCatalog } from './catalog.js';
import type { SingerMessage } from './messages.js';
import { checkpointFromSingerState } from './state.js';

export interface SingerTapOptions {
  readonly configPath: string;
  readonly statePath?: string;
  readonly catalogPath?: string;
  /** Print the catalog instead of syncing. */
  readonly discover: boolean;
  /** Singer messages (or the catalog). */
  readonly out: Writable;
  /** Logs: one JSON line each. */
  readonly err: Writable;
  readonly signal: AbortSignal;
}

/**
 * `stripe-source singer`: a Singer tap. Messages map as follows: a record is a RECORD; a delete is a RECORD
 * `{"id", "object", "deleted": true}` (Singer has no delete message); a resync bracket is a log line, since
 * Singer targets cannot drop rows a read did not deliver; a checkpoint is a STATE `{"stripe_source": ...}`,
 * written only after the records it covers.
 */
export async function runSingerTap(options: SingerTapOptions): Promise<void> {
  const config = await readJsonFile({ path: options.configPath, what: '--config' });
  const source = sourceFromConfig(config);
  const out = new JsonLineWriter(options.out);
  const logs = new JsonLineWriter(options.err);
  if (options.discover) {
    await out.write(singerCatalog());
    return;
  }
  const streams: readonly StreamName[] = options.catalogPath === undefined
    ? STREAM_NAMES
    : selectedStreams(await readJsonFile({ path: options.catalogPath, what: '--catalog' }), options.catalogPath);
  const checkpoint = options.statePath === undefined
    ? undefined
    : checkpointFromSingerState(await readJsonFile({ path: options.statePath, what: '--state' }), options.statePath);

  const log = (entry: LogEntry): void => {
    logs.writeNow({ time: new Date().toISOString(), level: entry.level, event: entry.event, message: entry.message, ...entry.fields });
  };
  forwardSourceEvents({ source, log });
  const emit = (message: SingerMessage): Promise<void> => out.write(message);

  // SCHEMAs go out once the read has accepted the state (its first message), so a bad state leaves stdout empty.
  let schemasSent = false;
  const sendSchemas = async (): Promise<void> => {
    schemasSent = true;
    for (const stream of streams) {
      const key = replicationKey(stream);
      await emit({
        type: 'SCHEMA', stream, schema: protocolRecordSchema({ stream }), key_properties: getStream(stream).primaryKey,
        ...(key ? { bookmark_properties: [key] } : {}),
      });
    }
  };
  let records = 0;
  for await (const message of source.read({ streams, checkpoint, signal: options.signal })) {
    if (!schemasSent) await sendSchemas();
    switch (message.type) {
      case 'record':
        records += 1;
        await emit({ type: 'RECORD', stream: message.stream, record: message.record, time_extracted: new Date().toISOString() });
        break;
      case 'delete':
        records += 1;
        await emit({
          type: 'RECORD', stream: message.stream, time_extracted: new Date().toISOString(),
          record: { id: message.id, object: getStream(message.stream).objectType, deleted: true },
        });
        break;
      case 'resync':
        log({
          level: 'WARN', event: 'resync',
          message: message.phase === 'start'
            ? `${message.stream}: full re-read begins (generation ${message.generation}); rows of this stream it does not deliver were deleted in Stripe, and a Singer target cannot drop them on its own`
            : `${message.stream}: full re-read done (generation ${message.generation})`,
          fields: { stream: message.stream, phase: message.phase, generation: message.generation },
        });
        break;
      case 'checkpoint':
        await emit({ type: 'STATE', value: { stripe_source: message.checkpoint } });
        break;
    }
  }
  if (!schemasSent) await sendSchemas();
  log({ level: 'INFO', event: 'summary', message: `done: ${records} records, ${source.requestCount} requests`, fields: { records, requests: source.requestCount } });
}
