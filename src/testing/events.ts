/**
 * Events, as Stripe records them: which type a change gets (from the catalog's event types), the event
 * object, and the 30-day retention of `/v1/events`.
 */
import { getStream, type StreamName } from '../catalog/streams.js';
import type { Fields, Row } from './collection.js';
import { EventData } from './deferred.js';
import { deepFreeze } from './freeze.js';
import type { Rng } from './random.js';
import type { Store } from './store.js';

/** Stripe keeps events for 30 days. */
export const EVENT_RETENTION_SECONDS = 30 * 24 * 60 * 60;

/** Oldest `created` still served: events before it have vanished from the list and from retrieval. */
export function retentionCutoff(store: Store): number {
  return store.nowSeconds() - EVENT_RETENTION_SECONDS;
}

function find(stream: StreamName, action: string): string | undefined {
  return getStream(stream).eventTypes.find((type) => type.endsWith(`.${action}`));
}

/**
 * The event of a new object. Stripe has no `charge.created`: a charge announces itself with
 * `charge.succeeded`. Streams without either (balance transactions, shipping rates, checkout sessions) get none.
 */
export function createdEventType(stream: StreamName): string | undefined {
  return find(stream, 'created') ?? find(stream, 'succeeded');
}

/**
 * The event of a change. Canceling a subscription is `customer.subscription.deleted` (an update, despite its
 * name). Streams without `<object>.updated` (payment intents) get the event of their new status when Stripe
 * has one (`payment_intent.succeeded`), else none, as on Stripe.
 */
export function updatedEventType(stream: StreamName, changed: Fields): string | undefined {
  const status = typeof changed.status === 'string' ? changed.status : undefined;
  if (stream === 'subscriptions' && status === 'canceled') return 'customer.subscription.deleted';
  return find(stream, 'updated') ?? (status === undefined ? undefined : find(stream, status));
}

export function deletedEventType(stream: StreamName): string | undefined {
  return getStream(stream).deleteEventTypes[0];
}

export interface EventInput {
  type: string;
  created: number;
  stream: StreamName;
  /** The object's own fields after the change (before it, for a delete). Never mutated, so safe to keep. */
  fields: Fields;
  previousAttributes?: Record<string, unknown>;
}

/** A new row of the `events` stream; the caller inserts it. */
export function eventRow(store: Store, rng: Rng, input: EventInput): Row {
  const previous = input.previousAttributes === undefined ? undefined : deepFreeze(input.previousAttributes);
  const id = store.newId('events', rng);
  return {
    id,
    created: input.created,
    seq: store.nextSeq(),
    fields: { id, created: input.created, data: new EventData(input.stream, input.fields, previous), type: input.type },
  };
}

/** Records an event now. */
export function recordEvent(store: Store, rng: Rng, input: EventInput): void {
  store.collection('events').insert(eventRow(store, rng, input));
}
