/**
 * List parameters and paging, as Stripe does them: `limit` 1..100, one cursor at most, `created` as an
 * integer or `created[gt|gte|lt|lte]`. A page costs O(log n + limit): the created range and the cursor are
 * found by binary search, and only rows a filter rejects cost extra.
 */
import { lowerBound, type Row, type RowKey } from './collection.js';
import { invalidParam, stripeError, type Reply } from './responses.js';

export interface ListQuery {
  readonly limit: number;
  readonly startingAfter: string | undefined;
  readonly endingBefore: string | undefined;
  /** Inclusive bounds of `created`. */
  readonly minCreated: number;
  readonly maxCreated: number;
}

/** A parameter's value; an empty one counts as absent, as on Stripe (stripe-node sends null as empty). */
export function param(params: URLSearchParams, name: string): string | undefined {
  const value = params.get(name);
  return value === null || value === '' ? undefined : value;
}

function integer(params: URLSearchParams, name: string): number | Reply | undefined {
  const value = param(params, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) return invalidParam(name, `Invalid integer: ${value}`, 'parameter_invalid_integer');
  return Number(value);
}

const CREATED_OPERATORS = ['gt', 'gte', 'lt', 'lte'] as const;

/** `hasCreated`: the list filters on `created` (lists without it ignore the parameter, like unknown ones). */
export function parseListQuery(params: URLSearchParams, hasCreated: boolean): ListQuery | Reply {
  const limit = integer(params, 'limit');
  if (typeof limit === 'object') return limit;
  if (limit !== undefined && limit < 1) {
    return invalidParam('limit', 'This value must be greater than or equal to 1.', 'parameter_invalid_integer');
  }
  if (limit !== undefined && limit > 100) {
    return invalidParam('limit', 'This value must be less than or equal to 100.', 'parameter_invalid_integer');
  }
  const startingAfter = param(params, 'starting_after');
  const endingBefore = param(params, 'ending_before');
  if (startingAfter !== undefined && endingBefore !== undefined) {
    return stripeError(400, {
      type: 'invalid_request_error',
      param: 'ending_before',
      message: 'You may only specify one of these parameters: starting_after, ending_before.',
    });
  }
  let minCreated = -Infinity;
  let maxCreated = Infinity;
  if (hasCreated) {
    for (const key of params.keys()) {
      const op = /^created\[(.*)\]$/.exec(key)?.[1];
      if (op !== undefined && !(CREATED_OPERATORS as readonly string[]).includes(op)) {
        return invalidParam(key, `Received unknown parameter: ${key}`, 'parameter_unknown');
      }
    }
    const bounds = {
      eq: integer(params, 'created'), gt: integer(params, 'created[gt]'), gte: integer(params, 'created[gte]'),
      lt: integer(params, 'created[lt]'), lte: integer(params, 'created[lte]'),
    };
    for (const bound of Object.values(bounds)) if (typeof bound === 'object') return bound;
    const { eq, gt, gte, lt, lte } = bounds as Record<keyof typeof bounds, number | undefined>;
    if (eq !== undefined) [minCreated, maxCreated] = [eq, eq];
    if (gt !== undefined) minCreated = Math.max(minCreated, gt + 1);
    if (gte !== undefined) minCreated = Math.max(minCreated, gte);
    if (lt !== undefined) maxCreated = Math.min(maxCreated, lt - 1);
    if (lte !== undefined) maxCreated = Math.min(maxCreated, lte);
  }
  return { limit: limit ?? 10, startingAfter, endingBefore, minCreated, maxCreated };
}

export interface PageInput {
  /** Ascending by (created, seq). */
  readonly rows: readonly Row[];
  /** `desc`: newest first (every top-level list); `asc`: the parent's order (embedded children). */
  readonly order: 'asc' | 'desc';
  readonly query: ListQuery;
  /** The row (or a deleted row's key) that `starting_after` / `ending_before` names. */
  readonly cursor: RowKey | undefined;
  /** Extra lower bound on `created` (events' retention). */
  readonly floor?: number;
  readonly accept?: (row: Row) => boolean;
}

export interface Page {
  readonly rows: Row[];
  readonly hasMore: boolean;
}

export function page(input: PageInput): Page {
  const { rows, order, query, cursor, accept } = input;
  const lo = lowerBound(rows, Math.max(query.minCreated, input.floor ?? -Infinity), -Infinity);
  const hi = lowerBound(rows, query.maxCreated, Infinity) - 1;
  // `forward` walks in list order; `ending_before` walks back from the cursor and flips the page at the end.
  const backwards = query.endingBefore !== undefined;
  const step = (order === 'desc') !== backwards ? -1 : 1;
  let start = step < 0 ? hi : lo;
  if (cursor) {
    const at = lowerBound(rows, cursor.created, cursor.seq);
    const present = rows[at]?.seq === cursor.seq;
    // A cursor outside the created range still bounds the page; the range bounds it too.
    start = step < 0 ? Math.min(at - 1, hi) : Math.max(at + (present ? 1 : 0), lo);
  }
  const found: Row[] = [];
  for (let i = start; i >= lo && i <= hi && found.length <= query.limit; i += step) {
    const row = rows[i] as Row;
    if (!accept || accept(row)) found.push(row);
  }
  const hasMore = found.length > query.limit;
  if (hasMore) found.pop();
  if (backwards) found.reverse();
  return { rows: found, hasMore };
}
