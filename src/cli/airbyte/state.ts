import type { Checkpoint } from '../../checkpoint/schema.js';
import type { StreamName } from '../../catalog/streams.js';
import type { JsonValue } from '../../types.js';
import { InputFileError } from '../input-errors.js';
import type { AirbyteStreamStateMessage, StripeStreamState } from './messages.js';

/**
 * Airbyte keeps one state per stream; the library's checkpoint is one object
 * `{version, account, livemode, streams: {name: state}}`. A STATE message carries one stream's entry together
 * with the version, account and mode it belongs to, and `--state` is merged back into one checkpoint.
 */

/** One stream's state out of a checkpoint. */
export function streamStateOf(checkpoint: Checkpoint, stream: string): StripeStreamState | undefined {
  const state = checkpoint.streams[stream];
  if (state === undefined) return undefined;
  return { checkpoint_version: checkpoint.version, account: checkpoint.account, livemode: checkpoint.livemode, state: state as JsonValue };
}

/**
 * The checkpoint to resume from, out of `--state` (an array of per-stream state messages, as Airbyte hands
 * them over). Streams in `fresh` (full refresh) start over. An empty state, or one without a usable stream
 * state, is a fresh start; a legacy or global state is an error, as this source never wrote one.
 */
export function checkpointFromAirbyteState(options: { state: unknown; path: string; fresh: ReadonlySet<StreamName> }): unknown {
  const { state, path } = options;
  if (typeof state === 'object' && state !== null && !Array.isArray(state) && Object.keys(state).length === 0) return undefined;
  if (!Array.isArray(state)) {
    throw new InputFileError(`state ${path} must be an array of per-stream state messages ([{"type": "STREAM", "stream": {...}}]); this source writes no legacy or global state.`);
  }
  const streams: Record<string, JsonValue> = {};
  let binding: Omit<StripeStreamState, 'state'> | undefined;
  for (const [i, item] of state.entries()) {
    const message = ((item as { type?: unknown })?.type === 'STATE' ? (item as { state: unknown }).state : item) as Partial<AirbyteStreamStateMessage> | null;
    if (message?.type !== 'STREAM' || typeof message.stream?.stream_descriptor?.name !== 'string') {
      throw new InputFileError(`state ${path}: entry ${i} is not a per-stream state ({"type": "STREAM", "stream": {"stream_descriptor": {"name": ...}, "stream_state": ...}}).`);
    }
    const name = message.stream.stream_descriptor.name;
    const streamState = message.stream.stream_state;
    if (streamState === null || streamState === undefined || options.fresh.has(name as StreamName)) continue;
    if (typeof streamState !== 'object' || !Object.hasOwn(streamState, 'state') || typeof streamState.checkpoint_version !== 'number') {
      throw new InputFileError(`state ${path}: the state of stream "${name}" was not written by stripe-source (expected {"checkpoint_version", "account", "livemode", "state"}). Reset the stream to start it over.`);
    }
    const own = { checkpoint_version: streamState.checkpoint_version, account: streamState.account, livemode: streamState.livemode };
    if (binding && (binding.checkpoint_version !== own.checkpoint_version || binding.account !== own.account || binding.livemode !== own.livemode)) {
      throw new InputFileError(`state ${path}: the state of stream "${name}" belongs to ${describe(own)}, others to ${describe(binding)}. Reset the connection's streams to start over.`);
    }
    binding = own;
    streams[name] = streamState.state;
  }
  if (!binding) return undefined;
  return { version: binding.checkpoint_version, account: binding.account, livemode: binding.livemode, streams };
}

function describe(b: Omit<StripeStreamState, 'state'>): string {
  return `account ${b.account ?? '(unknown)'} in ${b.livemode ? 'live' : 'test'} mode, checkpoint version ${b.checkpoint_version}`;
}

/**
 * Turns each checkpoint into STATE messages for the selected streams whose state changed since the last
 * ones sent, each with the count of its records since then.
 */
export class StreamStateEmitter {
  private readonly sent = new Map<string, string>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly streams: readonly StreamName[]) {}

  /** Counts one record (or delete) of a stream, for its next STATE's `sourceStats`. */
  counted(stream: string): void {
    this.counts.set(stream, (this.counts.get(stream) ?? 0) + 1);
  }

  statesFor(checkpoint: Checkpoint): AirbyteStreamStateMessage[] {
    const out: AirbyteStreamStateMessage[] = [];
    for (const name of this.streams) {
      const state = streamStateOf(checkpoint, name);
      if (state === undefined) continue;
      const text = JSON.stringify(state);
      // An unchanged state is sent again when records came since: it is the one that covers them.
      if (this.sent.get(name) === text && !this.counts.get(name)) continue;
      this.sent.set(name, text);
      out.push({ type: 'STREAM', stream: { stream_descriptor: { name }, stream_state: state }, sourceStats: { recordCount: this.counts.get(name) ?? 0 } });
      this.counts.set(name, 0);
    }
    return out;
  }
}
