import { describe, expect, it } from 'vitest';
import { getStream, STREAMS, type StreamName } from '../../src/catalog/streams.js';
import type { StreamState } from '../../src/checkpoint/schema.js';
import {
  changeTargets, collapseEvents, embeddedIds, eventTypesFilter, MAX_TYPES_PER_REQUEST, routeEvent, shrinkSlice, sliceEnd,
  SLICE_TARGET_EVENTS, type EventView,
} from '../../src/plan/changes.js';
import { cursorExpired, EVENT_RETENTION_SECONDS, EXPIRY_MARGIN_SECONDS, planStream } from '../../src/plan/stream-plan.js';
import { extendWithLookback } from '../../src/plan/windows.js';

const NOW = 1_800_000_000;
const plan = (name: StreamName, existing: StreamState | undefined, now = NOW) =>
  planStream({ def: getStream(name), existing, startSeconds: 0, nowSeconds: now, lookbackSeconds: 60 });

describe('planStream: what a run does for a stream', () => {
  it('a first read takes the events cursor before its first page', () => {
    expect(plan('customers', undefined)).toEqual({ state: { partitions: { '': { through: NOW, pending: [{ gte: 0, lt: NOW }] } }, changes: { since: NOW } } });
    expect(plan('invoice_line_items', undefined).state.changes).toEqual({ since: NOW });
  });

  it('a stream read before neither re-lists nor extends: its changes come from events', () => {
    const done: StreamState = { partitions: { '': { through: NOW - 500, pending: [] } }, changes: { since: NOW - 500 } };
    expect(plan('customers', done)).toEqual({ state: done });
    const unfinished: StreamState = { ...done, partitions: { '': { through: NOW - 500, pending: [{ gte: 0, lt: 40 }] } } };
    expect(plan('customers', unfinished)).toEqual({ state: unfinished });
  });

  it('Checkout Sessions also list what was created since the last run', () => {
    const done: StreamState = { partitions: { '': { through: NOW - 500, pending: [] } }, changes: { since: NOW - 500 } };
    expect(plan('checkout_sessions', done)).toEqual({ state: { ...done, partitions: { '': { through: NOW, pending: [{ gte: NOW - 500, lt: NOW }] } } } });
  });

  it('an expired or missing cursor opens a resync bracket with the next generation and a fresh cursor', () => {
    const old: StreamState = { partitions: { '': { through: 5, pending: [] } }, changes: { since: NOW - EVENT_RETENTION_SECONDS }, resync: { generation: 2, open: false } };
    expect(plan('customers', old)).toEqual({
      state: { partitions: { '': { through: NOW, pending: [{ gte: 0, lt: NOW }] } }, changes: { since: NOW }, resync: { generation: 3, open: true } },
      resync: 'cursor_expired',
    });
    expect(plan('customers', { partitions: { '': { through: 5, pending: [] } } }).resync).toBe('cursor_missing');
  });

  it('cursorExpired keeps an hour of margin before the 30-day edge', () => {
    const edge = NOW - EVENT_RETENTION_SECONDS + EXPIRY_MARGIN_SECONDS;
    expect(cursorExpired(edge, NOW)).toBe(false);
    expect(cursorExpired(edge - 1, NOW)).toBe(true);
  });

  it('relist streams: plain first read, a new bracket once done, an unfinished one continued', () => {
    const first = plan('shipping_rates', undefined);
    expect(first.resync).toBeUndefined();
    expect(first.state.resync).toBeUndefined();
    const done: StreamState = { partitions: { '': { through: NOW - 9, pending: [] } } };
    expect(plan('shipping_rates', done)).toEqual({
      state: { partitions: { '': { through: NOW, pending: [{ gte: 0, lt: NOW }] } }, resync: { generation: 1, open: true } },
      resync: 'relist',
    });
    const open: StreamState = { partitions: { '': { through: NOW - 9, pending: [{ gte: 0, lt: 30 }] } }, resync: { generation: 4, open: true } };
    expect(plan('shipping_rates', open)).toEqual({ state: open });
    // At most once per relistIntervalSeconds (following polls often).
    const recent = planStream({ def: getStream('shipping_rates'), existing: done, startSeconds: 0, nowSeconds: NOW, lookbackSeconds: 60, relistIntervalSeconds: 10 });
    expect(recent).toEqual({ state: done });
    const due = planStream({ def: getStream('shipping_rates'), existing: done, startSeconds: 0, nowSeconds: NOW, lookbackSeconds: 60, relistIntervalSeconds: 9 });
    expect(due.resync).toBe('relist');
  });

  it('append streams look back over their last seconds, never into a pending window', () => {
    const done: StreamState = { partitions: { '': { through: NOW - 500, pending: [] } } };
    expect(plan('balance_transactions', done).state.partitions['']).toEqual({ through: NOW, pending: [{ gte: NOW - 560, lt: NOW }] });
    expect(extendWithLookback({ through: 100, pending: [{ gte: 10, lt: 90 }] }, 200, 60)).toEqual({ through: 200, pending: [{ gte: 10, lt: 90 }, { gte: 90, lt: 200 }] });
    expect(extendWithLookback({ through: 30, pending: [] }, 200, 60)).toEqual({ through: 200, pending: [{ gte: 0, lt: 200 }] });
    expect(extendWithLookback({ through: 300, pending: [] }, 200, 60)).toEqual({ through: 300, pending: [] });
  });
});

describe('the events pass plan', () => {
  it('serves streams kept current from events whose first read is done, from their own cursor', () => {
    const done = (since: number): StreamState => ({ partitions: { '': { through: since, pending: [] } }, changes: { since } });
    const targets = changeTargets({
      selection: ['customers', 'invoice_line_items', 'shipping_rates', 'charges', 'balance_transactions'],
      states: {
        customers: done(100),
        invoice_line_items: done(200),
        shipping_rates: { partitions: { '': { through: 5, pending: [] } } },
        charges: { partitions: { '': { through: 5, pending: [{ gte: 0, lt: 5 }] } }, changes: { since: 5 } },
        balance_transactions: done(7),
      },
    });
    expect([...targets]).toEqual([['customers', 100], ['invoice_line_items', 200]]);
  });

  it('asks for types[] when they fit in one request, else for every event', () => {
    expect(eventTypesFilter(['customers'])).toEqual(['customer.created', 'customer.deleted', 'customer.updated']);
    // Children ask for their parent's events.
    expect(eventTypesFilter(['setup_attempts'])).toEqual(getStream('setup_intents').eventTypes.slice().sort());
    const many = STREAMS.map((s) => s.name as StreamName);
    expect(eventTypesFilter(many)).toBeNull();
    expect(eventTypesFilter(['invoices'])!.length).toBeLessThanOrEqual(MAX_TYPES_PER_REQUEST);
  });

  it('routes every tracked event type to one stream; a canceled subscription is an update', () => {
    expect(routeEvent('customer.subscription.deleted')).toEqual({ stream: 'subscriptions', action: 'upsert' });
    expect(routeEvent('customer.deleted')).toEqual({ stream: 'customers', action: 'delete' });
    expect(routeEvent('charge.refund.updated')).toEqual({ stream: 'refunds', action: 'upsert' });
    expect(routeEvent('customer.discount.deleted')).toBeUndefined();
    for (const def of STREAMS) {
      for (const type of def.eventTypes) expect(routeEvent(type)?.stream, type).toBe(def.name);
    }
  });

  it('every stream kept current from events hears of its new objects (or lists them)', () => {
    for (const def of STREAMS) {
      if (def.changes !== 'events') continue;
      const announcesNew = def.eventTypes.some((t) => /\.(created|succeeded|pending|failed)$/.test(t));
      expect(announcesNew, `${def.name} has no event for a new object: it needs events_and_new`).toBe(true);
    }
  });
});

const event = (id: string, type: string, created: number, object: Record<string, unknown>, previous?: Record<string, unknown>): EventView =>
  ({ id, type, created, apiVersion: 'v', object: object as EventView['object'], previous });

describe('collapseEvents', () => {
  it('keeps each object once, in its newest state, oldest change first', () => {
    const newestFirst = [
      event('e4', 'customer.updated', 40, { id: 'cus_a', object: 'customer', name: 'A3' }),
      event('e3', 'customer.deleted', 30, { id: 'cus_b', object: 'customer' }),
      event('e2', 'customer.updated', 20, { id: 'cus_a', object: 'customer', name: 'A2' }),
      event('e1', 'customer.created', 10, { id: 'cus_b', object: 'customer' }),
      event('e0', 'customer.discount.deleted', 5, { id: 'di_1', object: 'discount' }),
    ];
    const changes = collapseEvents(newestFirst);
    expect(changes.map((c) => [c.stream, c.event.object.id, c.action, c.event.id])).toEqual([
      ['customers', 'cus_b', 'delete', 'e3'],
      ['customers', 'cus_a', 'upsert', 'e4'],
    ]);
  });

  it('remembers every embedded child any event showed, before or after its change', () => {
    const list = (...ids: string[]) => ({ object: 'list', data: ids.map((id) => ({ id })) });
    const changes = collapseEvents([
      event('e2', 'customer.subscription.updated', 20, { id: 'sub_1', object: 'subscription', items: list('si_3') }, { items: list('si_2') }),
      event('e1', 'customer.subscription.updated', 10, { id: 'sub_1', object: 'subscription', items: list('si_2') }, { items: list('si_1', 'si_2') }),
    ]);
    expect([...changes[0]!.formerChildren.get('subscription_items')!].sort()).toEqual(['si_1', 'si_2', 'si_3']);
    expect(embeddedIds(null)).toEqual([]);
    expect(embeddedIds({ data: [{ id: 'x' }, { nope: 1 }] })).toEqual(['x']);
  });
});

describe('slices', () => {
  it('sliceEnd takes everything with nothing known, else aims at the target', () => {
    expect(sliceEnd({ from: 100, until: 1000, eventsPerSecond: undefined })).toBe(1000);
    expect(sliceEnd({ from: 100, until: 100_000, eventsPerSecond: 10 })).toBe(100 + SLICE_TARGET_EVENTS / 10);
    expect(sliceEnd({ from: 100, until: 100_000, eventsPerSecond: 1e9 })).toBe(101);
    expect(sliceEnd({ from: 100, until: 150, eventsPerSecond: 1 })).toBe(150);
  });

  it('shrinkSlice cuts a slice whose first page shows far more than the target, never below one second', () => {
    expect(shrinkSlice({ from: 0, end: 1000, pageEvents: 100, oldestOnPage: 995 })).toBe(Math.floor((1000 * SLICE_TARGET_EVENTS) / 20_000));
    expect(shrinkSlice({ from: 0, end: 1000, pageEvents: 100, oldestOnPage: 990 })).toBeNull(); // about twice the target: kept
    expect(shrinkSlice({ from: 0, end: 1000, pageEvents: 100, oldestOnPage: 0 })).toBeNull();
    expect(shrinkSlice({ from: 0, end: 1, pageEvents: 100, oldestOnPage: 0 })).toBeNull();
    expect(shrinkSlice({ from: 0, end: 86_400, pageEvents: 100, oldestOnPage: 86_399 })).toBeGreaterThanOrEqual(1);
  });
});
