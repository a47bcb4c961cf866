import type { StreamName } from '../catalog/streams.js';
import type { Checkpoint, StreamState } from '../checkpoint/schema.js';
import { deepFreeze } from '../freeze.js';
import type { PassPlan } from '../plan/passes.js';
import { applyWindowProgress, isStreamDone } from '../plan/windows.js';
import type { Message, ResyncMessage, StreamProgress } from '../types.js';
import type { Batch } from './batches.js';
import type { ReadContext } from './context.js';
import { PageBudget } from './page-budget.js';
import { PageChannel } from './page-channel.js';
import { runPass, type PageOutcome, type PageRecord } from './pass.js';

/** Pages buffered between readers and the consumer (each also holds a permit of the page budget). */
const BUFFERED_PAGES = 16;
/**
 * Pages in flight across every stream and window of a read: requested (or waiting in the throttle),
 * having their children read, or waiting for the consumer. It bounds memory with a slow sink however many
 * streams are read. At Stripe's 100 requests/s and ~0.35 s per list request about 35 page requests are in
 * flight at full speed; the rest covers pages queued behind the per-endpoint buckets and in the channel.
 */
export const MAX_PAGES_IN_FLIGHT = 64;
/**
 * Of those, pages arrived and waiting for their children or the consumer: no new request goes out while
 * this many wait.
 */
export const MAX_PAGES_ARRIVED = 16;
/**
 * The fewest pages out while the consumer is the bottleneck (a slow sink): the budget keeps what covers the
 * consumer's pace over a round trip, and no fewer than this. With pages answered in milliseconds memory
 * then holds about this many pages (a page of 100 invoices with their lines is about a megabyte once
 * parsed): bench (e-small) peaked at 176-189 MB with 8 and 200 MB with 16, at the same speed. A consumer
 * that runs dry lets the budget grow again.
 */
export const MAX_PAGES_FOR_SLOW_CONSUMER = 8;
const PROGRESS_INTERVAL_MS = 1000;

/**
 * Runs every pass concurrently and turns their pages into one ordered message stream, a batch per page:
 * its records, then the checkpoint after them. The checkpoint is only ever advanced here, by the page just
 * yielded, so a checkpoint never covers a record the host has not been handed.
 */
export async function* runRead(options: {
  ctx: ReadContext;
  passes: readonly PassPlan[];
  checkpoint: Checkpoint;
  /** Aborts the readers when the consumer stops early or fails. */
  stopReaders: () => void;
}): AsyncGenerator<Batch<Message>, Checkpoint, undefined> {
  const { ctx, passes, stopReaders } = options;
  let checkpoint = options.checkpoint;
  const channel = new PageChannel<PageOutcome>(BUFFERED_PAGES);
  // Against a server that answers in milliseconds, while the loop is the bottleneck, pages out beyond what it can take only wait in memory (see `Throttle.pageCap`).
  const budget = new PageBudget({ capacity: MAX_PAGES_IN_FLIGHT, arrivedCapacity: MAX_PAGES_ARRIVED, slowConsumerCapacity: MAX_PAGES_FOR_SLOW_CONSUMER, cap: () => ctx.http.pageCap() });
  const started = performance.now();
  const progress = new Map<string, { records: number; requests: number; done: boolean; started: number }>();
  // Requests by stream, for progress; child requests count toward the child stream.
  const countRequest = ({ stream }: { stream: string }): void => {
    const p = progress.get(stream);
    if (p) p.requests += 1;
  };
  ctx.events.on('request', countRequest);
  let totalRecords = 0;
  let lastProgress = started;

  const emitProgress = (): void => {
    const streams: Record<string, StreamProgress> = {};
    for (const [name, p] of progress) streams[name] = { records: p.records, requests: p.requests, done: p.done };
    ctx.events.emit('progress', { records: totalRecords, requests: ctx.http.requests, elapsedSeconds: (performance.now() - started) / 1000, streams });
  };

  let running = passes.length;
  for (const pass of passes) {
    for (const member of pass.members) {
      progress.set(member, { records: 0, requests: 0, done: false, started: performance.now() });
      ctx.events.emit('stream_start', { stream: member });
    }
    runPass(ctx, pass, (page) => channel.push(page), budget).then(
      () => {
        running -= 1;
        if (running === 0) channel.close();
      },
      (error: unknown) => channel.fail(error),
    );
  }
  if (passes.length === 0) channel.close();

  // An abort ends the channel once, rather than racing every wait against a promise that never settles
  // (each such race keeps its page reachable until the read ends: memory grew with every record).
  const onAbort = (): void => {
    channel.fail(ctx.signal.reason);
    budget.close(ctx.signal.reason);
  };
  if (ctx.signal.aborted) onAbort();
  else ctx.signal.addEventListener('abort', onAbort, { once: true });

  let yieldedCheckpoint = false;
  try {
    // A resync bracket opens before the stream's first record; a resumed read repeats its start.
    const opening: ResyncMessage[] = [];
    for (const pass of passes) {
      for (const member of pass.members) {
        const resync = checkpoint.streams[member]?.resync;
        if (resync?.open) opening.push({ type: 'resync', stream: member, phase: 'start', generation: resync.generation });
      }
    }
    if (opening.length > 0) yield opening;
    for (;;) {
      // How far ahead of the consumer the readers may run follows whether it waits for them or they for it.
      budget.consumerTakes(channel.size);
      const page = await channel.next();
      if (page === undefined) break;
      checkpoint = advance(checkpoint, page);
      // A split delivers nothing: the next page's checkpoint will carry it.
      if (page.progress.kind === 'split') continue;
      // The page's records are already messages: the batch is their array, with the page's closing
      // brackets and checkpoint after them. (The page parser checked each object's type against its
      // stream; its fields are Stripe's to vouch for.)
      const batch = page.records as unknown as Message[];
      totalRecords += batch.length;
      countRecords(progress, page.records);
      const closed = closeBrackets(checkpoint, page.pass.members);
      checkpoint = closed.checkpoint;
      batch.push(...closed.messages);
      // Frozen, not copied: a checkpoint changes only by copy-on-write (`advance`), so the next one shares
      // every part this page left alone, and a host cannot corrupt the read's state through it. A copy of
      // the whole checkpoint at every page cost 124 µs each with 28 streams (10 KB of JSON).
      batch.push({ type: 'checkpoint', checkpoint: deepFreeze(checkpoint) });
      // Resumes once the consumer has taken the whole batch and asks for more.
      yield batch;
      yieldedCheckpoint = true;
      // Taken: this frame must not keep the records reachable while it waits for the next page (the promise
      // that brought the page may still reach the array, see `takeListPage`).
      batch.length = 0;
      // The consumer has the page's records and checkpoint: its place in the budget goes to the next page request.
      page.permit?.release();
      if (page.progress.kind === 'advanced' || page.progress.kind === 'finished') {
        ctx.events.emit('page', { stream: page.pass.driver.name, records: page.parentRecords, hasMore: page.progress.kind !== 'finished' });
      }
      for (const member of page.pass.members) {
        const state = checkpoint.streams[member];
        const p = progress.get(member)!;
        if (!p.done && state && isStreamDone(state)) {
          p.done = true;
          ctx.events.emit('stream_end', { stream: member, records: p.records, seconds: (performance.now() - p.started) / 1000 });
        }
      }
      if (performance.now() - lastProgress >= PROGRESS_INTERVAL_MS) {
        lastProgress = performance.now();
        emitProgress();
      }
    }
    for (const [stream, p] of progress) {
      if (!p.done) {
        p.done = true;
        ctx.events.emit('stream_end', { stream, records: p.records, seconds: (performance.now() - p.started) / 1000 });
      }
    }
    emitProgress();
    // Brackets of streams that had nothing to read close here.
    const closed = closeBrackets(checkpoint, passes.flatMap((p) => p.members));
    checkpoint = closed.checkpoint;
    // A run with nothing to read still hands back a checkpoint: the planned one, with `through` moved on.
    if (!yieldedCheckpoint || closed.messages.length > 0) yield [...closed.messages, { type: 'checkpoint', checkpoint: deepFreeze(checkpoint) }];
    return checkpoint;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    ctx.events.off('request', countRequest);
    stopReaders();
    channel.close();
    budget.close(new DOMException('The read was stopped.', 'AbortError'));
  }
}

/** Adds a page's records to their streams' counts (in a function of its own: see `takePage` in pass.ts on hot loops in async code). */
function countRecords(progress: ReadonlyMap<string, { records: number }>, records: readonly PageRecord[]): void {
  for (const { stream } of records) progress.get(stream)!.records += 1;
}

/** Ends the open resync bracket of every stream given that has nothing left to read. */
function closeBrackets(checkpoint: Checkpoint, members: readonly StreamName[]): { checkpoint: Checkpoint; messages: ResyncMessage[] } {
  const messages: ResyncMessage[] = [];
  let streams: Record<string, StreamState> | undefined;
  for (const member of members) {
    const state = (streams ?? checkpoint.streams)[member];
    if (!state?.resync?.open || !isStreamDone(state)) continue;
    messages.push({ type: 'resync', stream: member, phase: 'end', generation: state.resync.generation });
    streams = { ...(streams ?? checkpoint.streams), [member]: { ...state, resync: { ...state.resync, open: false } } };
  }
  return { checkpoint: streams ? { ...checkpoint, streams } : checkpoint, messages };
}

/** The checkpoint after a page: every stream of the page's pass moves by the same step. */
export function advance(checkpoint: Checkpoint, page: PageOutcome): Checkpoint {
  const streams: Record<string, StreamState> = { ...checkpoint.streams };
  for (const member of page.pass.members as readonly StreamName[]) {
    const state = streams[member];
    const partition = state?.partitions[page.partition];
    if (!state || !partition) throw new Error(`checkpoint has no partition "${page.partition}" for ${member}`);
    streams[member] = { ...state, partitions: { ...state.partitions, [page.partition]: applyWindowProgress(partition, page.windowLt, page.progress) } };
  }
  return { ...checkpoint, streams };
}
