/**
 * Child streams (invoice lines, subscription items, setup attempts) as the catalog links them, and what a
 * parent shows of its children: an embedded list's first page, or the id of the latest child.
 */
import { STREAMS, getStream, type StreamName } from '../catalog/streams.js';
import type { Row } from './collection.js';
import { EmbeddedList } from './deferred.js';
import type { Store } from './store.js';

/** Stripe embeds at most this many children in a parent (`invoice.lines`, `subscription.items`). */
export const EMBEDDED_PAGE = 10;

export interface ChildInfo {
  readonly stream: StreamName;
  readonly parent: StreamName;
  /** The child's field naming its parent (`invoice`, `subscription`, `setup_intent`). */
  readonly parentField: string;
  readonly embedded: string | undefined;
  readonly skipWhenNull: string | undefined;
  /**
   * Children without a `created` cursor (lines, items) list in the parent's own order, oldest first;
   * the others (setup attempts) newest first like every other list.
   */
  readonly order: 'asc' | 'desc';
  /** The path and query of this parent's children list (`/v1/invoices/in_x/lines`). */
  listUrl(parentId: string): string;
}

function build(stream: StreamName): ChildInfo | undefined {
  const def = getStream(stream);
  const link = def.parent;
  if (!link) return undefined;
  const parent = link.stream as StreamName;
  return {
    stream,
    parent,
    parentField: link.parentParam ?? getStream(parent).objectType,
    embedded: link.embedded,
    skipWhenNull: link.skipWhenNull,
    order: def.cursorField === null ? 'asc' : 'desc',
    listUrl: (parentId) => link.parentParam
      ? `${link.listPath}?${link.parentParam}=${parentId}`
      : link.listPath.replace('{parent}', parentId),
  };
}

const CHILDREN = new Map<StreamName, ChildInfo>();
for (const def of STREAMS) {
  const info = build(def.name);
  if (info) CHILDREN.set(def.name, info);
}

export function childInfo(stream: StreamName): ChildInfo | undefined {
  return CHILDREN.get(stream);
}

export function childrenOfStream(parent: StreamName): ChildInfo[] {
  return [...CHILDREN.values()].filter((c) => c.parent === parent);
}

/** A parent's children in list order. */
export function orderedChildren(store: Store, child: ChildInfo, parentId: string): readonly Row[] {
  const rows = store.collection(child.stream).children(parentId);
  return child.order === 'asc' ? rows : [...rows].reverse();
}

/** The fields a parent derives from its children: `{ lines: {object:'list', ...} }` or `{ latest_attempt }`. */
export function parentSummary(store: Store, child: ChildInfo, parentId: string): Record<string, unknown> {
  const summary: Record<string, unknown> = {};
  const collection = store.collection(child.stream);
  if (child.embedded !== undefined) {
    const rows = collection.children(parentId);
    const page = child.order === 'asc' ? rows.slice(0, EMBEDDED_PAGE) : rows.slice(-EMBEDDED_PAGE).reverse();
    summary[child.embedded] = new EmbeddedList(
      child.stream, page.map((row) => row.fields), rows.length > EMBEDDED_PAGE, rows.length, child.listUrl(parentId),
    );
  }
  if (child.skipWhenNull !== undefined) {
    const rows = collection.children(parentId);
    summary[child.skipWhenNull] = rows.length === 0 ? null : (rows[rows.length - 1] as Row).id;
  }
  return summary;
}
