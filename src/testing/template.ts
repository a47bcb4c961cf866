/**
 * A stream's template: Stripe's example object (templates.json, from `scripts/extract-templates.mjs`) with
 * the stream's fixed overrides applied. Objects are stored as their own fields only; the rest comes from
 * the template when the object is read: fixed defaults, and defaults derived from the object's id and
 * created (timestamps, `client_secret`, own empty lists like `charge.refunds`). A million objects don't hold
 * a million copies of the same nested nulls.
 */
import rawTemplates from './templates.json' with { type: 'json' };
import type { Fields } from './collection.js';
import { Deferred, type Renderer } from './deferred.js';
import { deepFreeze } from './freeze.js';

const RAW: Readonly<Record<string, Readonly<Record<string, unknown>>>> = rawTemplates;

/** The placeholder Stripe's fixtures use for timestamps. */
const FIXTURE_TIMESTAMP = 1234567890;

/** How a default follows from the object's id and created. */
type Derivation = 'created' | 'id-in-string' | 'own-list';

export interface Template {
  readonly objectType: string;
  /** The whole default object, frozen. */
  readonly base: Readonly<Record<string, unknown>>;
  readonly keys: readonly string[];
  /** `"key":value` of each key's default, in `keys` order: serializing reuses them. */
  readonly fragments: readonly string[];
  /** `"key"` of each key. */
  readonly keyJson: readonly string[];
  readonly keyIndex: ReadonlyMap<string, number>;
  /** Per key: how its default is derived, for keys whose default is per object. */
  readonly derived: readonly (Derivation | undefined)[];
  /** The fixture's own id, replaced by each object's id where the fixture repeats it. */
  readonly fixtureId: string;
  /** Timestamps of objects without `created` (`invoiceitem.date`): set per object from its creation time. */
  readonly stampKeys: readonly string[];
}

export function rawTemplate(objectType: string): Readonly<Record<string, unknown>> {
  const raw = RAW[objectType];
  if (!raw) throw new Error(`templates.json has no ${objectType}: run scripts/extract-templates.mjs`);
  return raw;
}

function isList(value: unknown): value is { object: 'list'; url: string } {
  return typeof value === 'object' && value !== null && (value as { object?: unknown }).object === 'list' &&
    typeof (value as { url?: unknown }).url === 'string';
}

export function makeTemplate(objectType: string, overrides: Fields = {}): Template {
  const raw = rawTemplate(objectType);
  const fixtureId = typeof raw.id === 'string' ? raw.id : '\0';
  const base: Readonly<Record<string, unknown>> = deepFreeze(structuredClone({
    ...raw, ...overrides, ...('livemode' in raw ? { livemode: false } : {}),
  }));
  const keys = Object.keys(base);
  const hasCreated = 'created' in base;
  const stampKeys: string[] = [];
  const derived = keys.map((key): Derivation | undefined => {
    if (key in overrides || key === 'id' || key === 'created') return undefined; // an override is deliberate
    const value = base[key];
    if (value === FIXTURE_TIMESTAMP) {
      if (hasCreated) return 'created';
      stampKeys.push(key); // no `created` to derive from (an invoice item's `date`): an own field
      return undefined;
    }
    if (typeof value === 'string' && value.includes(fixtureId)) return 'id-in-string';
    if (isList(value) && value.url.includes(fixtureId)) return 'own-list';
    return undefined;
  });
  return {
    objectType, base, keys, derived, fixtureId, stampKeys,
    keyJson: keys.map((k) => JSON.stringify(k)),
    fragments: keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(base[k])}`),
    keyIndex: new Map(keys.map((k, i) => [k, i])),
  };
}

/**
 * The own fields every object starts with, written `into` an object (a new one by default). Objects without
 * `created` in Stripe get none (invoice lines), or their creation time under their own name (`invoiceitem.date`).
 */
export function ownDefaults(template: Template, id: string, created: number, into: Record<string, unknown> = {}): Record<string, unknown> {
  into.id = id;
  if ('created' in template.base) into.created = created;
  for (const key of template.stampKeys) if (!(key in into)) into[key] = created;
  return into;
}

function derive(template: Template, index: number, fields: Fields): unknown {
  const key = template.keys[index] as string;
  const value = template.base[key];
  const id = String(fields.id);
  switch (template.derived[index]) {
    case 'created':
      return fields.created;
    case 'id-in-string':
      return (value as string).replaceAll(template.fixtureId, id);
    case 'own-list': {
      const list = value as Record<string, unknown> & { url: string };
      const own: Record<string, unknown> = { ...list, data: [], has_more: false, url: list.url.replaceAll(template.fixtureId, id) };
      if ('total_count' in list) own.total_count = 0;
      return deepFreeze(own);
    }
    default:
      return value;
  }
}

/** The whole object: template defaults overlaid with own fields, deferred values rendered. Frozen. */
export function materialize(template: Template, fields: Fields, renderer: Renderer): Readonly<Record<string, unknown>> {
  const object: Record<string, unknown> = { ...template.base };
  const { derived, keys } = template;
  for (let i = 0; i < keys.length; i++) {
    if (derived[i] !== undefined && !Object.hasOwn(fields, keys[i] as string)) object[keys[i] as string] = derive(template, i, fields);
  }
  for (const key in fields) {
    const value = fields[key];
    object[key] = value instanceof Deferred ? value.render(renderer) : value;
  }
  return Object.freeze(object);
}

/**
 * How to write objects with one set of own keys: literal JSON runs (fragments of the template's defaults,
 * joined once) between slots (template key indices) filled per object. Objects of a stream mostly share
 * their own keys, so a page of 100 charges is a few hundred parts, not thousands.
 */
type Plan = readonly (string | number)[];

/** Plans per template, by own-key signature; bounded, since `update()` can give objects any keys. */
const plans = new WeakMap<Template, Map<string, Plan>>();
const MAX_PLANS = 256;

function planFor(template: Template, fields: Fields): Plan {
  let signature = '';
  for (const key in fields) {
    const index = template.keyIndex.get(key);
    if (index !== undefined) signature += `${fields[key] === undefined ? '-' : '+'}${index}`;
  }
  let cache = plans.get(template);
  if (!cache) plans.set(template, (cache = new Map()));
  let plan = cache.get(signature);
  if (!plan) {
    plan = makePlan(template, fields);
    if (cache.size < MAX_PLANS) cache.set(signature, plan);
  }
  return plan;
}

function makePlan(template: Template, fields: Fields): Plan {
  const plan: (string | number)[] = [];
  let text = '{';
  let first = true;
  template.keys.forEach((key, i) => {
    const own = Object.hasOwn(fields, key);
    if (own && fields[key] === undefined) return; // an own `undefined` drops the key, as JSON.stringify does
    const separator = first ? '' : ',';
    first = false;
    if (!own && template.derived[i] === undefined) {
      text += separator + (template.fragments[i] as string);
      return;
    }
    plan.push(`${text}${separator}${template.keyJson[i] as string}:`, i);
    text = '';
  });
  plan.push(text);
  return plan;
}

function valueInto(value: unknown, renderer: Renderer, parts: string[]): void {
  if (value instanceof Deferred) value.jsonInto(renderer, parts);
  else parts.push(JSON.stringify(value));
}

/**
 * Appends the object's JSON to `parts`. A page is joined once at the end: twice as fast as stringifying
 * whole objects, and serializing is what a million-object read spends its time on.
 */
export function serializeInto(template: Template, fields: Fields, renderer: Renderer, parts: string[]): void {
  for (const step of planFor(template, fields)) {
    if (typeof step === 'string') {
      parts.push(step);
      continue;
    }
    const key = template.keys[step] as string;
    if (Object.hasOwn(fields, key)) valueInto(fields[key], renderer, parts);
    else parts.push(JSON.stringify(derive(template, step, fields)));
  }
  for (const key in fields) {
    const value = fields[key];
    if (template.keyIndex.has(key) || value === undefined) continue;
    parts.push(`,${JSON.stringify(key)}:`);
    valueInto(value, renderer, parts);
  }
  parts.push('}');
}

export function serialize(template: Template, fields: Fields, renderer: Renderer): string {
  const parts: string[] = [];
  serializeInto(template, fields, renderer, parts);
  return parts.join('');
}
