import Bottleneck from 'bottleneck';
import Stripe from 'stripe';
import { z } from 'zod';
import { childrenOf, getStream, type StreamDefinition, type StreamName } from '../catalog/streams.js';
import type { Checkpoint } from '../checkpoint/schema.js';
import { isResourceMissing, StripeApiError } from '../errors.js';
import { deepFreeze } from '../freeze.js';
import {
  changeTargets, collapseEvents, eventTypesFilter, shrinkSlice, sliceEnd,
  type ChangeTargets, type EventView, type ObjectChange,
} from '../plan/changes.js';
import { cursorExpired } from '../plan/stream-plan.js';
import type { Message, RecordMessage } from '../types.js';
import type { Batch } from './batches.js';
import { readChildren } from './children.js';
import type { ReadContext } from './context.js';
import { takeListPage, type StripeObject } from './list-page.js';

/** The API version the `stripe` package pins: list objects come in it, events in their own. */
export const PINNED_API_VERSION: string = (Stripe as unknown as { API_VERSION: string }).API_VERSION;

/** Requests of the events pass carry this as their stream, in events and errors. */
const PASS_NAME = 'changes';
const PAGE_SIZE = 100;
const EVENTS_PATH = '/v1/events';
/**
 * Changes worked on at once: most need no request (the event carries the object), but a refetch or a child
 * list does, and a slice of thousands must not start thousands of requests and hold all their answers.
 */
const CHANGE_CONCURRENCY = 32;

// What the pass relies on of an event; the object inside is Stripe's to vouch for, like a listed one.
const eventSchema = z.object({
  id: z.string().min(1),
  type: z.string().min(1),
  created: z.number().int().nonnegative(),
  api_version: z.string().nullable().optional(),
  data: z.object({
    object: z.looseObject({ id: z.string().min(1), object: z.string().min(1) }),
    previous_attributes: z.record(z.string(), z.unknown()).optional(),
  }),
});

export interface RunChangesOptions {
  readonly ctx: ReadContext;
  readonly checkpoint: Checkpoint;
  readonly selection: readonly StreamName[];
  /** Events created before this second are read (now minus the event lag). */
  readonly untilSeconds: number;
  readonly nowSeconds: number;
  readonly updates: 'event' | 'refetch';
}

export interface ChangesOutcome {
  readonly checkpoint: Checkpoint;
  /** Streams whose cursor turned out to be past Stripe's retention: the caller reads them again in full. */
  readonly expired: readonly StreamName[];
}

/**
 * One pass over `/v1/events` for every stream kept current from events, in time slices, oldest first. Each
 * slice's events collapse to one change per object (its newest); the changes are applied in order and
 * followed by a checkpoint that moves every served stream's cursor to the slice's end.
 */
export async function* runChanges(options: RunChangesOptions): AsyncGenerator<Batch<Message>, ChangesOutcome, undefined> {
  const { ctx, untilSeconds, nowSeconds } = options;
  let checkpoint = options.checkpoint;
  const all = changeTargets({ selection: options.selection, states: checkpoint.streams });
  const expired = [...all].filter(([, since]) => cursorExpired(since, nowSeconds)).map(([name]) => name);
  const targets = new Map([...all].filter(([name, since]) => !expired.includes(name) && since < untilSeconds));
  if (targets.size === 0) return { checkpoint, expired };

  const types = eventTypesFilter(targets.keys());
  const reader = new SliceReader(ctx, types);
  const working = new Bottleneck({ maxConcurrent: CHANGE_CONCURRENCY });
  let from = Math.min(...targets.values());
  let next: Promise<Slice> | undefined = reader.read(from, sliceEnd({ from, until: untilSeconds, eventsPerSecond: undefined }));
  while (next) {
    const slice: Slice = await next;
    from = slice.end;
    // Read the next slice while this one is applied and the host takes its messages.
    next = from < untilSeconds
      ? reader.read(from, sliceEnd({ from, until: untilSeconds, eventsPerSecond: slice.events.length / Math.max(1, slice.end - slice.start) }))
      : undefined;
    next?.catch(() => undefined); // surfaced when awaited; never an unhandled rejection meanwhile
    const changes = collapseEvents(slice.events);
    const batches = await Promise.all(changes.map((change) => working.schedule(() => changeMessages(ctx, change, targets, options.updates))));
    checkpoint = advanceCursors(checkpoint, targets, slice.end);
    const messages: Message[] = [...batches.flat(), { type: 'checkpoint', checkpoint: deepFreeze(checkpoint) }];
    yield messages;
    // Taken: the next slice is awaited without keeping this one's records reachable.
    messages.length = 0;
  }
  return { checkpoint, expired };
}

/** Every served stream's cursor moves to `end` (never back). */
function advanceCursors(checkpoint: Checkpoint, targets: Map<StreamName, number>, end: number): Checkpoint {
  const streams = { ...checkpoint.streams };
  for (const [name, since] of targets) {
    if (since >= end) continue;
    targets.set(name, end);
    const state = streams[name];
    if (state) streams[name] = { ...state, changes: { since: end } };
  }
  return { ...checkpoint, streams };
}

interface Slice {
  readonly start: number;
  readonly end: number;
  /** Newest first, as listed. */
  readonly events: readonly EventView[];
}

class SliceReader {
  constructor(private readonly ctx: ReadContext, private readonly types: readonly string[] | null) {}

  /** Reads [start, end) whole; a first page showing far more than a slice should hold cuts it shorter. */
  async read(start: number, end: number): Promise<Slice> {
    for (;;) {
      const first = await this.page(start, end, undefined);
      const oldest = first.events[first.events.length - 1];
      const cut = first.hasMore && oldest ? shrinkSlice({ from: start, end, pageEvents: first.events.length, oldestOnPage: oldest.created }) : null;
      if (cut !== null) {
        end = cut;
        continue;
      }
      const events = [...first.events];
      let hasMore = first.hasMore;
      while (hasMore) {
        const page = await this.page(start, end, events[events.length - 1]!.id);
        events.push(...page.events);
        hasMore = page.hasMore;
      }
      return { start, end, events };
    }
  }

  private async page(gte: number, lt: number, after: string | undefined): Promise<{ events: EventView[]; hasMore: boolean }> {
    const query: Record<string, string | number> = { limit: PAGE_SIZE, 'created[gte]': gte, 'created[lt]': lt };
    if (after) query.starting_after = after;
    this.types?.forEach((type, i) => (query[`types[${i}]`] = type));
    const result = await this.ctx.http.get({ stream: PASS_NAME, path: EVENTS_PATH, query, signal: this.ctx.signal });
    const { requestId } = result;
    const page = takeListPage(result, { stream: PASS_NAME, path: EVENTS_PATH, objectType: 'event' });
    const events = page.data.map((raw) => toEventView(raw, requestId));
    for (const event of events) {
      if (event.created < gte || event.created >= lt) {
        throw new StripeApiError(
          `Stripe returned event ${event.id} created at ${event.created}, outside the requested range [${gte}, ${lt}); the list filter was ignored, so the sync stopped rather than guess. Check that baseUrl points at Stripe and that no proxy drops query parameters, then resume from the last checkpoint.${requestId ? ` [Stripe request id: ${requestId}]` : ''}`,
          { stream: PASS_NAME, requestId },
        );
      }
    }
    return { events, hasMore: page.hasMore };
  }
}

function toEventView(raw: StripeObject, requestId: string | undefined): EventView {
  const parsed = eventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new StripeApiError(
      `Stripe returned event ${raw.id} without a usable ${issue ? issue.path.join('.') : 'shape'}${issue ? ` (${issue.message})` : ''}; nothing of its slice was delivered.${requestId ? ` [Stripe request id: ${requestId}]` : ''}`,
      { stream: PASS_NAME, requestId },
    );
  }
  // The original objects, not zod's copies: records must be exactly what Stripe sent.
  const data = raw.data as { object: EventView['object']; previous_attributes?: Record<string, unknown> };
  return {
    id: parsed.data.id,
    type: parsed.data.type,
    created: parsed.data.created,
    apiVersion: parsed.data.api_version ?? null,
    object: data.object,
    previous: data.previous_attributes,
  };
}

/** The messages one object's change turns into, for every served stream it touches. */
async function changeMessages(ctx: ReadContext, change: ObjectChange, targets: ChangeTargets, updates: 'event' | 'refetch'): Promise<Message[]> {
  const { event } = change;
  const def = getStream(change.stream);
  if (event.object.object !== def.objectType) {
    throw new StripeApiError(
      `Stripe's event ${event.id} (${event.type}) carries a "${event.object.object}" where a "${def.objectType}" was expected; the sync stopped rather than put it in ${def.name}.`,
      { stream: PASS_NAME },
    );
  }
  const served = (name: StreamName): boolean => {
    const since = targets.get(name);
    return since !== undefined && event.created >= since;
  };
  const self = served(change.stream) ? change.stream : undefined;
  const children = childrenOf(change.stream).filter((c) => served(c.name as StreamName));
  if (!self && children.length === 0) return [];

  const messages: Message[] = [];
  const gone = (): Message[] => {
    if (self) messages.push({ type: 'delete', stream: self, id: event.object.id });
    for (const child of children) {
      for (const id of change.formerChildren.get(child.name as StreamName) ?? []) messages.push({ type: 'delete', stream: child.name as StreamName, id });
    }
    return messages;
  };
  if (change.action === 'delete') return gone();

  const object = updates === 'event' && event.apiVersion === PINNED_API_VERSION
    ? event.object
    : await refetch(ctx, def, event.object.id);
  if (object === null) return gone();
  if (self) messages.push(record(self, object));
  for (const child of children) {
    const name = child.name as StreamName;
    const items = await readChildren(ctx, child, object as StripeObject);
    const current = new Set((items ?? []).map((item) => item.id));
    for (const item of items ?? []) messages.push(record(name, item));
    for (const id of change.formerChildren.get(name) ?? []) if (!current.has(id)) messages.push({ type: 'delete', stream: name, id });
  }
  return messages;
}

function record(stream: StreamName, object: Readonly<Record<string, unknown>>): RecordMessage {
  // The object's type was checked against the stream; its fields are Stripe's to vouch for.
  return { type: 'record', stream, record: object } as unknown as RecordMessage;
}

/**
 * The object as it is now, in the pinned version's shape: for an event rendered in another version, or when
 * the host asked for `updates: 'refetch'`. Null when it no longer exists.
 */
async function refetch(ctx: ReadContext, def: StreamDefinition, id: string): Promise<StripeObject | null> {
  const path = `${def.path}/${encodeURIComponent(id)}`;
  let result;
  try {
    result = await ctx.http.get({ stream: def.name, path, signal: ctx.signal });
  } catch (error) {
    if (isResourceMissing(error)) return null;
    throw error;
  }
  const body = result.body as { id?: unknown; object?: unknown; deleted?: unknown } | null;
  if (body?.deleted === true) return null; // Stripe retrieves a deleted customer as `{ id, deleted: true }`
  if (typeof body !== 'object' || body === null || body.id !== id || body.object !== def.objectType) {
    throw new StripeApiError(
      `Stripe's answer to GET ${path} is not the ${def.objectType} ${id}; the sync stopped rather than store it.${result.requestId ? ` [Stripe request id: ${result.requestId}]` : ''}`,
      { stream: def.name, requestId: result.requestId },
    );
  }
  return body as StripeObject;
}
