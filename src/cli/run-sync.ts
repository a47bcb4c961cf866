import type { Writable } from 'node:stream';
import type { StreamName } from '../catalog/streams.js';
import type { StripeSource } from '../source.js';
import { FileSink } from './file-sink.js';
import { ProgressReporter } from './progress.js';

export interface RunSyncOptions {
  readonly source: StripeSource;
  readonly dir: string;
  /** State file; default `<dir>/checkpoint.json`. */
  readonly statePath?: string;
  readonly streams?: readonly StreamName[];
  readonly signal?: AbortSignal;
  /** Keep polling for changes until `signal` aborts. */
  readonly follow?: boolean;
  /** With `follow`: pause between polls in ms. */
  readonly pollIntervalMs?: number;
  /** Where progress and the summary go. */
  readonly out: Writable & { isTTY?: boolean; columns?: number };
}

/** A full or resumed sync of the source into local files, with progress and a summary. */
export async function runSync(options: RunSyncOptions): Promise<{ records: number; resumed: boolean }> {
  const sink = await FileSink.open({ dir: options.dir, statePath: options.statePath });
  const reporter = new ProgressReporter(options.source, options.out);
  const resumed = sink.checkpoint !== undefined;
  if (resumed) {
    // Off a terminal every line is JSON, so log collectors can parse the whole output.
    options.out.write(options.out.isTTY ? `Resuming from ${sink.statePath}\n` : `${JSON.stringify({ time: new Date().toISOString(), event: 'resume', statePath: sink.statePath })}\n`);
  }
  let records = 0;
  let outcome = 'Done';
  try {
    for await (const message of options.source.read({
      streams: options.streams, checkpoint: sink.checkpoint, signal: options.signal,
      ...(options.follow ? { follow: true } : {}),
      ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    })) {
      if (message.type === 'record') {
        records += 1;
        reporter.record(message.stream);
      }
      await sink.write(message);
    }
  } catch (error) {
    outcome = options.signal?.aborted ? 'Stopped (resume by running the same command again)' : 'Failed';
    throw error;
  } finally {
    await sink.close();
    reporter.finish({ requests: options.source.requestCount, outcome });
  }
  return { records, resumed };
}
