/**
 * Values stored in an object's fields that are rendered only when the object is read: an event's `data`
 * and a parent's embedded child list. Each holds the own fields of the objects it shows (never mutated, so
 * a snapshot stays true), instead of a full copy per event and per parent: that copy was most of the
 * memory of a million-object fake.
 */
import type { StreamName } from '../catalog/streams.js';
import type { Fields } from './collection.js';
import type { StripeObject } from './types.js';

/** Renders the own fields of a stream's object, whole (`Store` implements it). */
export interface Renderer {
  render(stream: StreamName, fields: Fields): StripeObject;
  serializeInto(stream: StreamName, fields: Fields, parts: string[]): void;
}

export abstract class Deferred {
  abstract render(renderer: Renderer): unknown;
  /** Appends the value's JSON to `parts`. */
  abstract jsonInto(renderer: Renderer, parts: string[]): void;
}

/** An event's `data`: the object at event time and, for updates, the old values of what changed. */
export class EventData extends Deferred {
  constructor(
    readonly stream: StreamName,
    readonly fields: Fields,
    readonly previousAttributes: Readonly<Record<string, unknown>> | undefined,
  ) {
    super();
    Object.freeze(this);
  }

  render(renderer: Renderer): unknown {
    const data: Record<string, unknown> = { object: renderer.render(this.stream, this.fields) };
    if (this.previousAttributes !== undefined) data.previous_attributes = this.previousAttributes;
    return Object.freeze(data);
  }

  jsonInto(renderer: Renderer, parts: string[]): void {
    parts.push('{"object":');
    renderer.serializeInto(this.stream, this.fields, parts);
    if (this.previousAttributes !== undefined) parts.push(',"previous_attributes":', JSON.stringify(this.previousAttributes));
    parts.push('}');
  }
}

/** A parent's embedded first page of children (`invoice.lines`, `subscription.items`). */
export class EmbeddedList extends Deferred {
  constructor(
    readonly stream: StreamName,
    readonly items: readonly Fields[],
    readonly hasMore: boolean,
    readonly totalCount: number,
    readonly url: string,
  ) {
    super();
    Object.freeze(this);
  }

  render(renderer: Renderer): unknown {
    return Object.freeze({
      object: 'list',
      data: Object.freeze(this.items.map((fields) => renderer.render(this.stream, fields))),
      has_more: this.hasMore,
      total_count: this.totalCount,
      url: this.url,
    });
  }

  jsonInto(renderer: Renderer, parts: string[]): void {
    parts.push('{"object":"list","data":[');
    this.items.forEach((fields, i) => {
      if (i > 0) parts.push(',');
      renderer.serializeInto(this.stream, fields, parts);
    });
    parts.push(`],"has_more":${this.hasMore},"total_count":${this.totalCount},"url":${JSON.stringify(this.url)}}`);
  }
}
