import type { Writable } from 'node:stream';
import { getStream } from '../../catalog/streams.js';
import { AuthenticationError, PermissionError, StripeSourceError } from '../../errors.js';
import { redactSecrets } from '../../redact.js';
import { describeFailure, EXIT, isBadInput } from '../exit.js';
import { InputFileError } from '../input-errors.js';
import { JsonLineWriter } from '../line-writer.js';
import { readJsonFile, sourceFromConfig } from '../protocol-config.js';
import { forwardSourceEvents, type LogEntry } from '../protocol-events.js';
import { airbyteCatalog, CDC_DELETED_AT, configuredStreams } from './catalog.js';
import type { AirbyteFailureType, AirbyteMessage } from './messages.js';
import { specMessage } from './spec.js';
import { checkpointFromAirbyteState, StreamStateEmitter } from './state.js';

export type AirbyteCommand = 'spec' | 'check' | 'discover' | 'read';

export interface AirbyteRunOptions {
  readonly command: AirbyteCommand;
  readonly configPath?: string;
  readonly catalogPath?: string;
  readonly statePath?: string;
  /** Every Airbyte message, logs and errors included. */
  readonly out: Writable;
  readonly signal: AbortSignal;
}

/**
 * `stripe-source airbyte <command>`: an Airbyte source. Everything goes to stdout as Airbyte messages: an
 * error that ends the command is a TRACE (failure_type config_error for what the user must fix,
 * system_error otherwise) followed by a non-zero exit; `check` reports a bad key or config as
 * CONNECTION_STATUS FAILED and exits 0, as the protocol asks. Returns the exit code.
 */
export async function runAirbyte(options: AirbyteRunOptions): Promise<number> {
  const out = new JsonLineWriter(options.out);
  const emit = (message: AirbyteMessage): Promise<void> => out.write(message);
  try {
    switch (options.command) {
      case 'spec':
        await emit(specMessage());
        return EXIT.ok;
      case 'check':
        return await check(options, emit);
      case 'discover':
        // Config is checked (a typo should not pass discover and fail read) but no request is needed.
        sourceFromConfig(await config(options));
        await emit({ type: 'CATALOG', catalog: airbyteCatalog() });
        return EXIT.ok;
      case 'read':
        await read(options, out);
        return EXIT.ok;
    }
  } catch (error) {
    if (options.signal.aborted) throw error;
    await emit(traceError(error));
    return describeFailure(error).code;
  }
}

async function config(options: AirbyteRunOptions): Promise<unknown> {
  if (options.configPath === undefined) throw new InputFileError(`airbyte ${options.command} needs --config FILE.`);
  return readJsonFile({ path: options.configPath, what: '--config' });
}

async function check(options: AirbyteRunOptions, emit: (m: AirbyteMessage) => Promise<void>): Promise<number> {
  let message: string;
  try {
    const source = sourceFromConfig(await config(options));
    const result = await source.check({ signal: options.signal });
    const forbidden = result.streams.filter((s) => s.status === 'forbidden');
    const readable = result.streams.length - forbidden.length;
    if (readable > 0) {
      const note = forbidden.length > 0 ? `; the key may not read ${forbidden.map((s) => s.stream + (s.permission ? ` (${s.permission})` : '')).join(', ')}` : '';
      await emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED', message: `account ${result.accountId ?? '(unknown)'} in ${result.mode} mode: ${readable} streams readable${note}` } });
      return EXIT.ok;
    }
    message = 'the key may read none of the streams: give it read access in the Stripe dashboard.';
  } catch (error) {
    if (options.signal.aborted || !(isBadInput(error) || error instanceof StripeSourceError)) throw error;
    message = describeFailure(error).message;
  }
  await emit({ type: 'CONNECTION_STATUS', connectionStatus: { status: 'FAILED', message: redactSecrets(message) } });
  return EXIT.ok;
}

async function read(options: AirbyteRunOptions, out: JsonLineWriter): Promise<void> {
  const source = sourceFromConfig(await config(options));
  if (options.catalogPath === undefined) throw new InputFileError('airbyte read needs --catalog FILE (the configured catalog).');
  const configured = configuredStreams(await readJsonFile({ path: options.catalogPath, what: '--catalog' }), options.catalogPath);
  const streams = configured.map((s) => s.name);
  const fresh = new Set(configured.filter((s) => s.syncMode === 'full_refresh').map((s) => s.name));
  const checkpoint = options.statePath === undefined
    ? undefined
    : checkpointFromAirbyteState({ state: await readJsonFile({ path: options.statePath, what: '--state' }), path: options.statePath, fresh });

  const log = (entry: Pick<LogEntry, 'level' | 'message'>): void => {
    out.writeNow({ type: 'LOG', log: { level: entry.level, message: entry.message } } satisfies AirbyteMessage);
  };
  forwardSourceEvents({ source, log });
  const emit = (message: AirbyteMessage): Promise<void> => out.write(message);
  const states = new StreamStateEmitter(streams);
  let records = 0;
  for await (const message of source.read({ streams, checkpoint, signal: options.signal })) {
    switch (message.type) {
      case 'record':
        records += 1;
        states.counted(message.stream);
        await emit({ type: 'RECORD', record: { stream: message.stream, data: { ...message.record, [CDC_DELETED_AT]: null }, emitted_at: Date.now() } });
        break;
      case 'delete': {
        records += 1;
        states.counted(message.stream);
        const data = { id: message.id, object: getStream(message.stream).objectType, deleted: true, [CDC_DELETED_AT]: new Date().toISOString() };
        await emit({ type: 'RECORD', record: { stream: message.stream, data, emitted_at: Date.now() } });
        break;
      }
      case 'resync':
        log({
          level: 'WARN',
          message: message.phase === 'start'
            ? `${message.stream}: full re-read begins (resync generation ${message.generation}): Stripe's change events no longer reach back to the last sync; objects deleted meanwhile stay in the destination unless the stream is reset`
            : `${message.stream}: full re-read done (resync generation ${message.generation})`,
        });
        break;
      case 'checkpoint':
        for (const state of states.statesFor(message.checkpoint)) await emit({ type: 'STATE', state });
        break;
    }
  }
  log({ level: 'INFO', message: `read done: ${records} records, ${source.requestCount} requests` });
}

/** An error as Airbyte's TRACE: what the user must fix is a config_error, the rest a system_error. */
function traceError(error: unknown): AirbyteMessage {
  const configError = isBadInput(error) || error instanceof AuthenticationError || error instanceof PermissionError;
  const failureType: AirbyteFailureType = configError ? 'config_error' : 'system_error';
  return {
    type: 'TRACE',
    trace: {
      type: 'ERROR',
      emitted_at: Date.now(),
      error: {
        message: describeFailure(error).message,
        internal_message: error instanceof Error ? error.name : 'Error',
        failure_type: failureType,
        // A stack helps with a bug, not with a wrong key or config.
        ...(!configError && error instanceof Error && error.stack ? { stack_trace: redactSecrets(error.stack) } : {}),
      },
    },
  };
}
