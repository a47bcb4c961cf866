/** Serving reads: the account, lists (top-level and children) and single objects. */
import { getStream, type StreamName } from '../catalog/streams.js';
import { childInfo } from './children.js';
import type { Row } from './collection.js';
import { retentionCutoff } from './events.js';
import { listFilter } from './filters.js';
import { page, param, parseListQuery } from './list.js';
import { missingParam, ok, resourceMissing, type Reply } from './responses.js';
import type { Route } from './routes.js';
import type { Store } from './store.js';
import type { Tenant } from './tenants.js';

type DataRoute = Exclude<Route, { kind: 'unknown' }>;

function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && 'status' in value && 'body' in value;
}

/** Serves a request from the data of the account it is for (the platform's, or a connected account's). */
export function serve(tenant: Tenant, route: DataRoute, path: string, params: URLSearchParams): Reply {
  const { store } = tenant;
  switch (route.kind) {
    case 'account':
      return ok(tenant.accountJson());
    case 'retrieve':
      // An account may retrieve itself at `/v1/accounts/{its id}`, as on Stripe; others are its connected accounts.
      if (getStream(route.stream).objectType === 'account' && route.id === tenant.id) return ok(tenant.accountJson());
      return retrieve(store, route.stream, route.id);
    case 'list':
    case 'children':
      return list(store, route, path, params);
  }
}

function retrieve(store: Store, stream: StreamName, id: string): Reply {
  const row = store.collection(stream).get(id);
  if (!row || (stream === 'events' && row.created < retentionCutoff(store))) {
    return resourceMissing(getStream(stream).objectType, id, 'id');
  }
  return ok(store.json(stream, row));
}

/** The rows a list reads from: the whole stream, or one parent's children. */
function source(store: Store, route: Extract<DataRoute, { kind: 'list' | 'children' }>, params: URLSearchParams):
  { rows: readonly Row[]; parentId: string | undefined; order: 'asc' | 'desc' } | Reply {
  const child = childInfo(route.stream);
  if (!child) return { rows: store.collection(route.stream).rows, parentId: undefined, order: 'desc' };
  const parentParam = getStream(route.stream).parent?.parentParam;
  const parentId = route.kind === 'children' ? route.parentId : parentParam && param(params, parentParam);
  if (!parentId) return missingParam(parentParam ?? 'id');
  if (!store.collection(child.parent).get(parentId)) {
    return resourceMissing(getStream(child.parent).objectType, parentId, route.kind === 'children' ? 'id' : (parentParam as string));
  }
  return { rows: store.collection(route.stream).children(parentId), parentId, order: child.order };
}

function list(store: Store, route: Extract<DataRoute, { kind: 'list' | 'children' }>, path: string, params: URLSearchParams): Reply {
  const def = getStream(route.stream);
  const from = source(store, route, params);
  if (isReply(from)) return from;
  const query = parseListQuery(params, def.cursorField === 'created');
  if (isReply(query)) return query;
  const accept = listFilter(route.stream, store.template(route.stream), params);
  if (isReply(accept)) return accept;

  const cursorId = query.startingAfter ?? query.endingBefore;
  const cursor = cursorId === undefined ? undefined : store.collection(route.stream).cursor(cursorId);
  if (cursorId !== undefined && (!cursor || cursor.parentId !== from.parentId)) {
    return resourceMissing(def.objectType, cursorId, query.startingAfter !== undefined ? 'starting_after' : 'ending_before');
  }
  const result = page({
    rows: from.rows, order: from.order, query, cursor, accept,
    ...(route.stream === 'events' ? { floor: retentionCutoff(store) } : {}),
  });
  const parts = ['{"object":"list","data":['];
  result.rows.forEach((row, i) => {
    if (i > 0) parts.push(',');
    store.jsonInto(route.stream, row, parts);
  });
  parts.push(`],"has_more":${result.hasMore},"url":${JSON.stringify(path)}}`);
  return ok(parts.join(''));
}
