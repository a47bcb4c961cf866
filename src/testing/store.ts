/**
 * The fake's state: one sorted collection and one template per stream, the account, and the counters that
 * keep ids unique and ties ordered. Generation, mutations and the request handler all work on it.
 */
import { STREAMS, getStream, type StreamDefinition, type StreamName } from '../catalog/streams.js';
import { Collection, type Fields, type Row } from './collection.js';
import type { Renderer } from './deferred.js';
import { Rng } from './random.js';
import { SHAPES } from './shapes.js';
import { makeTemplate, materialize, rawTemplate, serialize, serializeInto, type Template } from './template.js';
import type { StripeObject } from './types.js';

export interface StoreOptions {
  apiVersion: string;
  now: () => number;
}

/**
 * Templates per API version. They are immutable and cost a few ms per store to build, so the stores of a
 * platform's many connected accounts share one set.
 */
const templateSets = new Map<string, ReadonlyMap<StreamName, Template>>();

function templatesFor(apiVersion: string): ReadonlyMap<StreamName, Template> {
  let templates = templateSets.get(apiVersion);
  if (!templates) {
    templates = new Map(STREAMS.map((def): [StreamName, Template] => {
      const overrides = def.name === 'events'
        ? { api_version: apiVersion, pending_webhooks: 0, request: { id: null, idempotency_key: null } }
        : SHAPES[def.name]?.overrides;
      return [def.name, makeTemplate(def.objectType, overrides)];
    }));
    templateSets.set(apiVersion, templates);
  }
  return templates;
}

/** Id lengths per stream: the same for every store. */
let idLengths: ReadonlyMap<StreamName, number> | undefined;

export class Store implements Renderer {
  readonly apiVersion: string;
  readonly now: () => number;
  private readonly collections = new Map<StreamName, Collection>();
  private readonly templates: ReadonlyMap<StreamName, Template>;
  private readonly idLengths: ReadonlyMap<StreamName, number>;
  private seq = 0;

  constructor(options: StoreOptions) {
    this.apiVersion = options.apiVersion;
    this.now = options.now;
    for (const def of STREAMS) this.collections.set(def.name, new Collection());
    this.templates = templatesFor(options.apiVersion);
    this.idLengths = idLengths ??= new Map(STREAMS.map((def): [StreamName, number] => [def.name, idLength(def)]));
  }

  /** The clock in whole seconds, the resolution of Stripe's `created`. */
  nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  collection(stream: StreamName): Collection {
    return this.collections.get(stream) as Collection;
  }

  template(stream: StreamName): Template {
    return this.templates.get(stream) as Template;
  }

  nextSeq(): number {
    return ++this.seq;
  }

  /**
   * A fresh id with the stream's prefix, never used before in this stream (deleted objects included).
   * Bulk generation skips the lookup (`check = false`): a clash among 62^14 values is all but impossible, and
   * `Collection.sortAll()` asserts there was none.
   */
  newId(stream: StreamName, rng: Rng, check = true): string {
    const prefix = getStream(stream).idPrefix;
    const length = this.idLengths.get(stream) as number;
    const collection = this.collection(stream);
    for (;;) {
      const id = prefix + rng.base62(length);
      if (!check || !collection.has(id)) return id;
    }
  }

  /** The whole object of a row, frozen. */
  object(stream: StreamName, row: Row): StripeObject {
    return materialize(this.template(stream), row.fields, this);
  }

  /** The whole object of a row, as JSON. */
  json(stream: StreamName, row: Row): string {
    return serialize(this.template(stream), row.fields, this);
  }

  /** Appends a row's JSON to `parts` (a list page is joined once). */
  jsonInto(stream: StreamName, row: Row, parts: string[]): void {
    serializeInto(this.template(stream), row.fields, this, parts);
  }

  render(stream: StreamName, fields: Fields): StripeObject {
    return materialize(this.template(stream), fields, this);
  }

  serializeInto(stream: StreamName, fields: Fields, parts: string[]): void {
    serializeInto(this.template(stream), fields, this, parts);
  }
}

/** Stripe's ids are 14 (`cus_QXg1o8vcGmoR32`) to 24 characters after the prefix; follow the fixture's. */
function idLength(def: StreamDefinition): number {
  const fixtureId = rawTemplate(def.objectType).id;
  const suffix = typeof fixtureId === 'string' ? fixtureId.length - fixtureId.indexOf('_') - 1 : 24;
  return Math.min(24, Math.max(14, suffix));
}
