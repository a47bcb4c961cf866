import { getStream, type StreamDefinition, type StreamName } from '../catalog/streams.js';
import type { CheckpointWindow } from '../checkpoint/schema.js';
import { StripeApiError, StripeSourceError } from '../errors.js';
import type { PassPlan } from '../plan/passes.js';
import { partitionParams, windowQuery, type WindowProgress } from '../plan/windows.js';
import { readChildren } from './children.js';
import type { ReadContext } from './context.js';
import { parseListPage, type StripeObject } from './list-page.js';

const PAGE_SIZE = 100;

/** One page of a pass with everything that hangs off it: delivered whole, followed by its checkpoint. */
export interface PageOutcome {
  readonly pass: PassPlan;
  readonly partition: string;
  readonly windowGte: number;
  readonly progress: WindowProgress;
  readonly records: ReadonlyArray<{ readonly stream: StreamName; readonly record: StripeObject }>;
  /** Children of parents deleted meanwhile were skipped, by stream (for progress). */
  readonly parentRecords: number;
}

/** Reads every pending window of a pass, page by page, handing each complete page to `deliver`. */
export async function runPass(ctx: ReadContext, pass: PassPlan, deliver: (page: PageOutcome) => Promise<void>): Promise<void> {
  const children = pass.members.filter((m) => m !== pass.driver.name).map((m) => getStream(m));
  const deliversDriver = pass.members.includes(pass.driver.name as StreamName);
  for (const [partition, state] of Object.entries(pass.state.partitions)) {
    for (const planned of state.pending) {
      let window: CheckpointWindow = planned;
      for (;;) {
        ctx.signal.throwIfAborted();
        const page = await readWindowPage(ctx, pass.driver, partition, window);
        if (page === 'cursor_lost') {
          ctx.events.emit('warning', {
            stream: pass.driver.name,
            code: 'cursor_lost',
            message: `The object ${window.after?.id} that ${pass.driver.name} was resuming after no longer exists; re-reading its second (${window.after?.created}) so nothing is skipped. A few records may come twice.`,
          });
          await deliver({ pass, partition, windowGte: window.gte, progress: { kind: 'cursor_lost' }, records: [], parentRecords: 0 });
          window = window.after ? { gte: window.gte, lt: window.after.created + 1 } : { gte: window.gte, lt: window.lt };
          continue;
        }
        const records: Array<{ stream: StreamName; record: StripeObject }> = [];
        if (deliversDriver) for (const record of page.data) records.push({ stream: pass.driver.name as StreamName, record });
        for (const child of children) {
          const perParent = await Promise.all(page.data.map((parent) => readChildren(ctx, child, parent)));
          for (const list of perParent) for (const record of list ?? []) records.push({ stream: child.name as StreamName, record });
        }
        const last = page.data[page.data.length - 1];
        const progress: WindowProgress = page.hasMore && last
          ? { kind: 'advanced', after: { id: last.id, created: createdOf(pass.driver, last) } }
          : { kind: 'finished' };
        await deliver({ pass, partition, windowGte: window.gte, progress, records, parentRecords: page.data.length });
        if (progress.kind === 'finished') break;
        window = { ...window, after: progress.after };
      }
    }
  }
}

function createdOf(def: StreamDefinition, record: StripeObject): number {
  const value = record[def.createdField];
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new StripeApiError(`Stripe returned ${def.name} object ${record.id} without an integer "${def.createdField}"; it cannot be placed in time.`, { stream: def.name });
  }
  return value;
}

async function readWindowPage(
  ctx: ReadContext,
  def: StreamDefinition,
  partition: string,
  window: CheckpointWindow,
): Promise<{ data: readonly StripeObject[]; hasMore: boolean } | 'cursor_lost'> {
  const query = { limit: PAGE_SIZE, ...def.params, ...partitionParams(partition), ...windowQuery(window) };
  let result;
  try {
    result = await ctx.http.get({ stream: def.name, path: def.path, query, signal: ctx.signal });
  } catch (error) {
    // Stripe rejects a `starting_after` whose object was deleted since (404 resource_missing).
    if (window.after && error instanceof StripeSourceError && error.statusCode === 404 && error.code === 'resource_missing') {
      return 'cursor_lost';
    }
    throw error;
  }
  const page = parseListPage(result.body, { stream: def.name, path: def.path, objectType: def.objectType, requestId: result.requestId });
  for (const record of page.data) {
    const created = createdOf(def, record);
    if (created < window.gte || created >= window.lt) {
      throw new StripeApiError(
        `Stripe returned ${def.name} object ${record.id} created at ${created}, outside the requested range [${window.gte}, ${window.lt}); the list filter was ignored, so the sync stopped rather than guess.`,
        { stream: def.name, requestId: result.requestId },
      );
    }
  }
  return page;
}
