import type { StripeSource } from '../source.js';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** One diagnostic of a protocol run: a framework shows `message`; `fields` keep the event's details. */
export interface LogEntry {
  readonly level: LogLevel;
  readonly event: string;
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

/**
 * The source's diagnostic events (retries, rate limiting, warnings, stream progress) as log entries, for
 * protocols whose data channel must carry nothing else: Singer writes them on stderr, Airbyte as LOG
 * messages. Per-request and per-page events are left out: one line each would drown the rest.
 */
export function forwardSourceEvents(options: { source: StripeSource; log: (entry: LogEntry) => void }): void {
  const { source, log } = options;
  source.on('stream_start', (e) => log({ level: 'INFO', event: 'stream_start', message: `${e.stream}: started`, fields: e }));
  source.on('stream_end', (e) => log({ level: 'INFO', event: 'stream_end', message: `${e.stream}: ${e.records} records in ${e.seconds.toFixed(1)} s`, fields: e }));
  source.on('progress', (e) => log({
    level: 'INFO', event: 'progress', message: `${e.records} records, ${e.requests} requests, ${e.elapsedSeconds.toFixed(1)} s`,
    fields: { records: e.records, requests: e.requests, elapsedSeconds: Math.round(e.elapsedSeconds * 10) / 10 },
  }));
  source.on('retry', (e) => log({ level: 'WARN', event: 'retry', message: `${e.stream}: retrying ${e.path} in ${e.delayMs} ms (attempt ${e.attempt}): ${e.reason}`, fields: e }));
  source.on('rate_limited', (e) => log({ level: 'WARN', event: 'rate_limited', message: `${e.stream}: Stripe answered 429 on ${e.path}`, fields: e }));
  source.on('warning', (e) => log({ level: 'WARN', event: 'warning', message: e.message, fields: e }));
}
