import { PermissionError } from '../errors.js';
import type { Message } from '../types.js';
import type { Batch } from './batches.js';
import { PageChannel } from './page-channel.js';

/** One account's read: its own messages, each run of them ended by that account's checkpoint. */
export interface AccountRead {
  /** The connected account, or null for the platform's own streams. */
  readonly account: string | null;
  readonly read: () => AsyncGenerator<Batch<Message>, void, undefined>;
}

/** Messages of one account up to and including one of its checkpoints: handed on whole, never interleaved. */
export interface AccountBatch {
  readonly account: string | null;
  /** Emptied by the consumer once handed on, so nothing that still reaches the batch keeps its records. */
  readonly messages: Message[];
}

/** Batches buffered between the accounts' readers and the consumer. */
const BUFFERED_BATCHES = 16;

/**
 * Reads several accounts at once, at most `concurrency` at a time, and hands their messages on in whole
 * batches (up to each checkpoint), so that a combined checkpoint still covers everything before it. An
 * account whose access is refused (403: disconnected meanwhile, or a permission it lacks) is reported and
 * skipped; any other failure ends the whole read.
 */
export async function* fanOut(options: {
  reads: readonly AccountRead[];
  concurrency: number;
  signal: AbortSignal;
  onSkipped: (account: string | null, error: PermissionError) => void;
}): AsyncGenerator<AccountBatch, void, undefined> {
  const { reads, signal } = options;
  const channel = new PageChannel<AccountBatch>(BUFFERED_BATCHES);
  let next = 0;
  let running = 0;
  const pump = async (read: AccountRead): Promise<void> => {
    let batch: Message[] = [];
    try {
      for await (const messages of read.read()) {
        for (const message of messages) {
          batch.push(message);
          if (message.type === 'checkpoint') {
            await channel.push({ account: read.account, messages: batch });
            batch = [];
          }
        }
        if (signal.aborted) return;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof PermissionError) {
        options.onSkipped(read.account, error);
        return;
      }
      throw error;
    }
  };
  const start = (): void => {
    while (running < options.concurrency && next < reads.length) {
      const read = reads[next++]!;
      running += 1;
      pump(read).then(
        () => {
          running -= 1;
          start();
        },
        (error: unknown) => channel.fail(error),
      );
    }
    if (running === 0 && next >= reads.length) channel.close();
  };
  const onAbort = (): void => channel.fail(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  start();
  try {
    for (;;) {
      const batch = await channel.next();
      if (batch === undefined) return;
      yield batch;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    channel.close();
  }
}
