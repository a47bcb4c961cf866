/**
 * The list filters a sync depends on, with Stripe's default exclusions: subscriptions hide canceled ones
 * unless `status=all`, prices and plans list only active ones unless `active=false`. Other parameters are
 * ignored, as Stripe ignores what a list doesn't filter on in ways that matter here.
 */
import type { StreamName } from '../catalog/streams.js';
import type { Row } from './collection.js';
import { param } from './list.js';
import { invalidParam, stripeError, type Reply } from './responses.js';
import type { Template } from './template.js';

export type RowFilter = (row: Row) => boolean;

/** Streams listing only active objects unless asked otherwise. */
const ACTIVE_BY_DEFAULT: ReadonlySet<StreamName> = new Set<StreamName>(['prices', 'plans']);
/** Streams that filter on `active` only when it is given. */
const ACTIVE_WHEN_GIVEN: ReadonlySet<StreamName> = new Set<StreamName>(['products', 'promotion_codes', 'tax_rates', 'shipping_rates']);

/** Statuses `status=ended` stands for. */
const ENDED = new Set(['canceled', 'incomplete_expired']);

function valueOf(template: Template, row: Row, key: string): unknown {
  return Object.hasOwn(row.fields, key) ? row.fields[key] : template.base[key];
}

function activeFilter(template: Template, raw: string | undefined, byDefault: boolean): RowFilter | Reply | undefined {
  if (raw === undefined) return byDefault ? (row) => valueOf(template, row, 'active') === true : undefined;
  if (raw !== 'true' && raw !== 'false') return invalidParam('active', `Invalid boolean: ${raw}`);
  const wanted = raw === 'true';
  return (row) => valueOf(template, row, 'active') === wanted;
}

function statusFilter(template: Template, raw: string | undefined): RowFilter {
  const status = (row: Row): unknown => valueOf(template, row, 'status');
  if (raw === undefined) return (row) => status(row) !== 'canceled';
  if (raw === 'all') return () => true;
  if (raw === 'ended') return (row) => ENDED.has(status(row) as string);
  return (row) => status(row) === raw;
}

/** `type` (one name, or a group like `customer.*`) or `types[]` (several names), not both. */
function eventTypeFilter(params: URLSearchParams): RowFilter | Reply | undefined {
  const type = param(params, 'type');
  const types: string[] = [];
  for (const [key, value] of params) if (/^types\[\d*\]$/.test(key) && value !== '') types.push(value);
  if (type !== undefined && types.length > 0) {
    return stripeError(400, {
      type: 'invalid_request_error', param: 'types', message: 'You may only specify one of these parameters: type, types.',
    });
  }
  if (type !== undefined) {
    if (type.endsWith('*')) {
      const prefix = type.slice(0, -1);
      return (row) => (row.fields.type as string).startsWith(prefix);
    }
    return (row) => row.fields.type === type;
  }
  if (types.length > 0) {
    const wanted = new Set(types);
    return (row) => wanted.has(row.fields.type as string);
  }
  return undefined;
}

export function listFilter(stream: StreamName, template: Template, params: URLSearchParams): RowFilter | Reply | undefined {
  if (stream === 'subscriptions') return statusFilter(template, param(params, 'status'));
  if (stream === 'events') return eventTypeFilter(params);
  if (ACTIVE_BY_DEFAULT.has(stream)) return activeFilter(template, param(params, 'active'), true);
  if (ACTIVE_WHEN_GIVEN.has(stream)) return activeFilter(template, param(params, 'active'), false);
  return undefined;
}
