/**
 * Changes to the fake's data, each recorded as the event Stripe would send, so change capture through
 * `/v1/events` can be tested: `create` -> `<object>.created`, `update` -> `<object>.updated` with
 * `previous_attributes`, `del` -> the stream's delete event. A child (invoice line, subscription item,
 * setup attempt) changes its parent's embedded list or `latest_attempt`, and the parent's event tells.
 */
import { isDeepStrictEqual } from 'node:util';
import { getStream, type StreamName } from '../catalog/streams.js';
import { childInfo, childrenOfStream, parentSummary, type ChildInfo } from './children.js';
import type { Fields, Row } from './collection.js';
import { createdEventType, deletedEventType, recordEvent, updatedEventType } from './events.js';
import { deepFreeze, frozenCopy } from './freeze.js';
import type { Rng } from './random.js';
import type { Store } from './store.js';
import { ownDefaults } from './template.js';
import type { StripeObject } from './types.js';

/**
 * Parents without an `.updated` event type: what a change of their children is announced as. A new setup
 * attempt ends in success or failure, and Stripe says which.
 */
const CHILD_CHANGE_EVENTS: Partial<Record<StreamName, (child: Fields) => string>> = {
  setup_intents: (child) => (child.status === 'succeeded' ? 'setup_intent.succeeded' : 'setup_intent.setup_failed'),
};

export class Mutations {
  constructor(private readonly store: Store, private readonly rng: Rng) {}

  create(stream: StreamName, input: Record<string, unknown> = {}): StripeObject {
    refuseEvents(stream, 'create');
    const { store } = this;
    const given = frozenCopy(input);
    const child = childInfo(stream);
    const parentId = child ? this.parentOf(child, given) : undefined;
    const id = this.idFor(stream, given.id);
    const now = store.nowSeconds();
    const created = typeof given.created === 'number' ? given.created : now;
    const template = store.template(stream);
    const fields: Record<string, unknown> = { ...ownDefaults(template, id, created), ...given, id };
    // A new parent has no children yet: an empty embedded list with its own url, or `latest_attempt: null`.
    for (const info of childrenOfStream(stream)) Object.assign(fields, parentSummary(store, info, id));
    const row: Row = { id, created, seq: store.nextSeq(), fields: deepFreeze(fields), ...(parentId ? { parentId } : {}) };
    store.collection(stream).insert(row);
    const object = store.object(stream, row);
    if (child && parentId) {
      this.refreshParent(child, parentId, row.fields);
    } else {
      const type = createdEventType(stream);
      if (type) recordEvent(store, this.rng, { type, created: now, stream, fields: row.fields });
    }
    return object;
  }

  update(stream: StreamName, id: string, input: Record<string, unknown>): StripeObject {
    refuseEvents(stream, 'update');
    const { store } = this;
    const row = this.existing(stream, id);
    const child = childInfo(stream);
    const fixed = ['id', 'object', 'created', ...(child ? [child.parentField] : []),
      ...childrenOfStream(stream).flatMap((c) => [c.embedded, c.skipWhenNull].filter((k): k is string => k !== undefined))];
    for (const key of Object.keys(input)) {
      if (fixed.includes(key)) {
        throw new Error(`update('${stream}', '${id}'): '${key}' cannot be changed` +
          (key === 'created' || key === 'id' || key === 'object' ? '' : ` here; create or delete the ${key} through their own stream`));
      }
    }
    const given = frozenCopy(input);
    const before = store.object(stream, row);
    const previous: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(given)) {
      if (!isDeepStrictEqual(before[key], value)) previous[key] = before[key] ?? null;
    }
    if (Object.keys(previous).length === 0) return before; // Stripe records no event for a change that changes nothing
    row.fields = deepFreeze({ ...row.fields, ...given });
    const object = store.object(stream, row);
    if (child && row.parentId !== undefined) {
      this.refreshParent(child, row.parentId, row.fields);
    } else {
      const type = updatedEventType(stream, given);
      if (type) recordEvent(store, this.rng, { type, created: store.nowSeconds(), stream, fields: row.fields, previousAttributes: previous });
    }
    return object;
  }

  del(stream: StreamName, id: string): void {
    refuseEvents(stream, 'del');
    const { store } = this;
    const row = this.existing(stream, id);
    store.collection(stream).remove(id);
    const child = childInfo(stream);
    if (child && row.parentId !== undefined) {
      this.refreshParent(child, row.parentId, row.fields);
      return;
    }
    for (const info of childrenOfStream(stream)) {
      const children = store.collection(info.stream);
      for (const each of [...children.children(id)]) children.remove(each.id);
    }
    const type = deletedEventType(stream);
    if (type) recordEvent(store, this.rng, { type, created: store.nowSeconds(), stream, fields: row.fields });
  }

  /** Re-derives what a parent shows of its children and records the parent's change. */
  private refreshParent(child: ChildInfo, parentId: string, childFields: Fields): void {
    const { store } = this;
    const parent = store.collection(child.parent).get(parentId);
    if (!parent) return;
    const before = store.object(child.parent, parent);
    const summary = parentSummary(store, child, parentId);
    const previous: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(summary)) {
      if (!isDeepStrictEqual(before[key], value)) previous[key] = before[key] ?? null;
    }
    parent.fields = deepFreeze({ ...parent.fields, ...summary });
    const type = updatedEventType(child.parent, {}) ?? CHILD_CHANGE_EVENTS[child.parent]?.(childFields);
    if (!type) return;
    recordEvent(store, this.rng, {
      type, created: store.nowSeconds(), stream: child.parent, fields: parent.fields, previousAttributes: previous,
    });
  }

  private parentOf(child: ChildInfo, given: Fields): string {
    const parentId = given[child.parentField];
    if (typeof parentId !== 'string' || !this.store.collection(child.parent).get(parentId)) {
      throw new Error(`create('${child.stream}') needs '${child.parentField}' naming an existing ` +
        `${getStream(child.parent).objectType}; got ${JSON.stringify(parentId)}`);
    }
    return parentId;
  }

  private idFor(stream: StreamName, given: unknown): string {
    if (given === undefined) return this.store.newId(stream, this.rng);
    if (typeof given !== 'string' || given === '' || this.store.collection(stream).has(given)) {
      throw new Error(`create('${stream}'): id ${JSON.stringify(given)} is not a new id of this stream`);
    }
    return given;
  }

  private existing(stream: StreamName, id: string): Row {
    const row = this.store.collection(stream).get(id);
    if (!row) throw new Error(`${stream} has no object '${id}'`);
    return row;
  }
}

function refuseEvents(stream: StreamName, method: string): void {
  if (stream === 'events') {
    throw new Error(`${method}('events') is not possible: events are recorded by create(), update() and del() of other streams`);
  }
}
