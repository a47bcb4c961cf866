import type { StreamDefinition } from '../catalog/streams.js';
import { isResourceMissing } from '../errors.js';
import type { ReadContext } from './context.js';
import { parseListPage, takeListPage, type StripeObject } from './list-page.js';

const PAGE_SIZE = 100;

/** The children a parent carries itself (its embedded first page), and whether more are to be listed. */
export interface EmbeddedChildren {
  readonly items: StripeObject[];
  readonly hasMore: boolean;
}

/**
 * What a parent says of its children without a request: the embedded first page when it carries one
 * (`invoice.lines`, `subscription.items`), none when its `skipWhenNull` field is null, else that they are
 * to be listed. Synchronous: nine parents in ten in bench (d) need nothing more, and an async call per
 * parent cost a promise chain each.
 */
export function embeddedChildren(child: StreamDefinition, parent: StripeObject): EmbeddedChildren {
  const link = child.parent;
  if (!link) throw new Error(`${child.name} is not a child stream`);
  if (link.skipWhenNull && (parent[link.skipWhenNull] ?? null) === null) return { items: [], hasMore: false };
  const embedded = link.embedded ? parent[link.embedded] : undefined;
  if (embedded === undefined || embedded === null) return { items: [], hasMore: true };
  const page = parseListPage(embedded, { stream: child.name, path: `${parent.id}.${link.embedded}`, objectType: child.objectType });
  return { items: page.data, hasMore: page.hasMore };
}

/**
 * Every child of one parent: what it carries itself (`embeddedChildren`), then the child list from where
 * that stops. Returns null when the parent vanished between its own page and this request; its children
 * went with it.
 */
export async function readChildren(ctx: ReadContext, child: StreamDefinition, parent: StripeObject, start: EmbeddedChildren = embeddedChildren(child, parent)): Promise<StripeObject[] | null> {
  const link = child.parent;
  if (!link) throw new Error(`${child.name} is not a child stream`);
  const items: StripeObject[] = [...start.items];
  let hasMore = start.hasMore;
  let restarts = 0;
  // Most parents carry all their children (nine invoices in ten in bench (d)): the path is made only for a request.
  const path = hasMore ? link.listPath.replace('{parent}', encodeURIComponent(parent.id)) : '';
  while (hasMore) {
    const query = {
      limit: PAGE_SIZE,
      ...(link.parentParam ? { [link.parentParam]: parent.id } : {}),
      ...(items.length > 0 ? { starting_after: items[items.length - 1]!.id } : {}),
    };
    let result;
    try {
      // Ahead of the list pages waiting in the throttle (after chains): the parent's page is parsed and
      // held until its children are in, and a request that starts a new page would only hold more.
      result = await ctx.http.get({ stream: child.name, path, query, signal: ctx.signal, completesPage: true });
    } catch (error) {
      if (isResourceMissing(error)) {
        if (items.length > 0 && restarts < 3) {
          // Either the parent or our cursor (a child deleted meanwhile) is gone: list all children afresh
          // to tell which; a cursor-less 404 means the parent.
          restarts += 1;
          items.length = 0;
          continue;
        }
        if (items.length > 0) throw error;
        ctx.events.emit('warning', {
          stream: child.name,
          code: 'parent_gone',
          message: `${parent.id} was deleted while its ${child.name} were being read; it has none left to deliver.`,
        });
        return null;
      }
      throw error;
    }
    const page = takeListPage(result, { stream: child.name, path, objectType: child.objectType });
    items.push(...page.data);
    hasMore = page.hasMore;
  }
  return items;
}
