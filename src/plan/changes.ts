/**
 * Pure planning of the events pass: which streams it serves from which second, which event types it asks
 * for, where it cuts its time slices, and how the events of a slice collapse into one change per object.
 */
import { childrenOf, getStream, STREAMS, type StreamDefinition, type StreamName } from '../catalog/streams.js';
import type { StreamState } from '../checkpoint/schema.js';
import { isStreamDone } from './windows.js';

/** Stripe's limit on `types[]` in one events list request. */
export const MAX_TYPES_PER_REQUEST = 20;

/** Events a slice aims to hold: enough to collapse a typical run into one slice, few enough to keep in memory. */
export const SLICE_TARGET_EVENTS = 5_000;

/** Streams the pass serves, each from its own cursor. */
export type ChangeTargets = ReadonlyMap<StreamName, number>;

/** Streams kept current from events whose full read is done, with their cursor: the pass serves them. */
export function changeTargets(options: { selection: readonly StreamName[]; states: Readonly<Record<string, StreamState | undefined>> }): Map<StreamName, number> {
  const targets = new Map<StreamName, number>();
  for (const name of options.selection) {
    const state = options.states[name];
    const strategy = getStream(name).changes;
    if (strategy !== 'events' && strategy !== 'events_and_new' && strategy !== 'parent') continue;
    if (!state?.changes || !isStreamDone(state)) continue;
    targets.set(name, state.changes.since);
  }
  return targets;
}

/** The stream whose events keep `name` current: itself, or its parent for a child stream. */
export function eventSource(name: StreamName): StreamDefinition {
  const def = getStream(name);
  return def.changes === 'parent' && def.parent ? getStream(def.parent.stream as StreamName) : def;
}

/**
 * Event types to ask for: `types[]` when they fit in one request, else null (read every event and filter
 * here). Several `types[]` requests would each cost at least one request per slice; one unfiltered read
 * costs one request per 100 events of any type, which is less unless the account's events are mostly of
 * types no selected stream wants.
 */
export function eventTypesFilter(targets: Iterable<StreamName>): string[] | null {
  const types = new Set<string>();
  for (const name of targets) {
    const source = eventSource(name);
    for (const type of [...source.eventTypes, ...source.deleteEventTypes]) types.add(type);
  }
  return types.size <= MAX_TYPES_PER_REQUEST ? [...types].sort() : null;
}

/** What an event does to the object it carries, by its type. */
export interface EventRoute {
  readonly stream: StreamName;
  readonly action: 'upsert' | 'delete';
}

const routes = new Map<string, EventRoute>();
for (const def of STREAMS) {
  if (def.parent) continue; // children are read through their parent's events
  for (const type of def.eventTypes) routes.set(type, { stream: def.name, action: 'upsert' });
  for (const type of def.deleteEventTypes) routes.set(type, { stream: def.name, action: 'delete' });
}

/** Undefined for an event type no stream tracks (`customer.discount.deleted`, ...). */
export function routeEvent(type: string): EventRoute | undefined {
  return routes.get(type);
}

/** An event as the pass relies on it. */
export interface EventView {
  readonly id: string;
  readonly type: string;
  readonly created: number;
  readonly apiVersion: string | null;
  readonly object: Readonly<Record<string, unknown>> & { readonly id: string; readonly object: string };
  readonly previous: Readonly<Record<string, unknown>> | undefined;
}

/** The newest change of one object within a slice, and what it once held of its embedded children. */
export interface ObjectChange {
  readonly stream: StreamName;
  readonly action: 'upsert' | 'delete';
  /** The object's newest event in the slice. */
  readonly event: EventView;
  /**
   * Ids of embedded children (by child stream) that any event of the slice showed on the object, before
   * or after its change: those missing from the object's current children were removed.
   */
  readonly formerChildren: ReadonlyMap<StreamName, ReadonlySet<string>>;
}

/**
 * Collapses a slice's events (in list order, newest first) into one change per object, oldest first by each
 * object's newest event: applying them in order leaves every object in its newest state, and emits it once.
 */
export function collapseEvents(eventsNewestFirst: readonly EventView[]): ObjectChange[] {
  const byObject = new Map<string, { change: ObjectChange; former: Map<StreamName, Set<string>> }>();
  const order: string[] = [];
  for (const event of eventsNewestFirst) {
    const route = routeEvent(event.type);
    if (!route) continue;
    const key = `${route.stream}:${event.object.id}`;
    let entry = byObject.get(key);
    if (!entry) {
      entry = { change: { stream: route.stream, action: route.action, event, formerChildren: new Map() }, former: new Map() };
      byObject.set(key, entry);
      order.push(key);
    }
    for (const child of childrenOf(route.stream)) {
      const field = child.parent?.embedded;
      if (!field) continue;
      const ids = entry.former.get(child.name as StreamName) ?? new Set<string>();
      for (const id of embeddedIds(event.object[field])) ids.add(id);
      if (event.previous && Object.hasOwn(event.previous, field)) for (const id of embeddedIds(event.previous[field])) ids.add(id);
      entry.former.set(child.name as StreamName, ids);
    }
  }
  // First seen = newest; reversed, the object whose newest change is oldest comes first.
  return order.reverse().map((key) => {
    const { change, former } = byObject.get(key)!;
    return { ...change, formerChildren: former };
  });
}

/** Ids in an embedded list (`{ object: 'list', data: [{ id }] }`); nothing for anything else. */
export function embeddedIds(value: unknown): string[] {
  const data = (value as { data?: unknown } | null | undefined)?.data;
  if (!Array.isArray(data)) return [];
  return data.map((item) => (item as { id?: unknown } | null)?.id).filter((id): id is string => typeof id === 'string');
}

/**
 * Where the next slice ends. It aims at `SLICE_TARGET_EVENTS` given the density the last slice showed (events
 * per second); with nothing known it takes everything left, and a first page will tell if that is too much.
 */
export function sliceEnd(options: { from: number; until: number; eventsPerSecond: number | undefined }): number {
  const { from, until, eventsPerSecond } = options;
  if (from >= until) return until;
  if (eventsPerSecond === undefined || eventsPerSecond <= 0) return until;
  const width = Math.max(1, Math.floor(SLICE_TARGET_EVENTS / eventsPerSecond));
  return Math.min(until, from + width);
}

/**
 * After a slice's first page: when the page shows the slice holds far more than the target, where to cut it
 * instead (null to keep it). Lists run newest first, so the page covered [oldestOnPage, end).
 */
export function shrinkSlice(options: { from: number; end: number; pageEvents: number; oldestOnPage: number }): number | null {
  const { from, end, pageEvents, oldestOnPage } = options;
  const covered = Math.max(1, end - oldestOnPage);
  const estimate = (pageEvents * (end - from)) / covered;
  if (estimate <= 2 * SLICE_TARGET_EVENTS || end - from < 2) return null;
  const width = Math.max(1, Math.floor(((end - from) * SLICE_TARGET_EVENTS) / estimate));
  return from + width;
}
