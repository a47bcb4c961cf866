import { z } from 'zod';
import { StripeApiError } from '../errors.js';

/** A Stripe object as far as the sync relies on it: an id, a type, and (for listed streams) a creation time. */
export interface StripeObject {
  readonly id: string;
  readonly object: string;
  readonly created?: number;
  readonly [field: string]: unknown;
}

export interface ListPage {
  /** The page's own array (never the response body's): its reader empties it once the records are handed on (see `takeListPage`). */
  readonly data: StripeObject[];
  readonly hasMore: boolean;
}

// The envelope is checked with zod; the items only for what the sync relies on, by hand, because this
// runs for every record and a schema parse would copy each object.
const listSchema = z.object({
  object: z.literal('list'),
  data: z.array(z.unknown()),
  has_more: z.boolean(),
});

function itemProblem(item: unknown, index: number): string | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return `data.${index} is not an object`;
  const { id, object } = item as { id?: unknown; object?: unknown };
  if (typeof id !== 'string' || id.length === 0) return `data.${index} has no id`;
  if (typeof object !== 'string' || object.length === 0) return `data.${index} (${id}) has no object type`;
  return undefined;
}

/**
 * Checks a list response before anything of it is yielded: a page that breaks Stripe's contract would
 * otherwise lose objects silently (a `has_more` page without data loops or stops early; an object of the
 * wrong type lands in the wrong table).
 */
export function parseListPage(body: unknown, context: { stream: string; path: string; objectType: string; requestId?: string }): ListPage {
  const fail = (problem: string): never => {
    throw new StripeApiError(
      `Stripe's response to GET ${context.path} (stream "${context.stream}") is not a usable list: ${problem}. Nothing of it was delivered; if a proxy sits between you and Stripe, check it.${context.requestId ? ` [Stripe request id: ${context.requestId}]` : ''}`,
      { stream: context.stream, requestId: context.requestId },
    );
  };
  const parsed = listSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return fail(issue ? `${issue.path.join('.') || 'the body'}: ${issue.message}` : 'unknown shape');
  }
  const { data, has_more: hasMore } = parsed.data;
  if (hasMore && data.length === 0) fail('has_more is true on an empty page');
  for (let i = 0; i < data.length; i++) {
    const problem = itemProblem(data[i], i);
    if (problem) fail(problem);
    const item = data[i] as StripeObject;
    if (item.object !== context.objectType) fail(`an object of type "${item.object}" (${item.id}) where "${context.objectType}" was expected`);
  }
  return { data: data as StripeObject[], hasMore };
}

/**
 * The page of a list response, taken out of the body: parsed as `parseListPage` does, then the body's
 * `data` dropped, so that the body no longer reaches the records.
 *
 * Why: a response passes through promises (stripe-node's, the retry's, the throttle's, the reader's own)
 * that may wait long enough to reach V8's old generation. A promise there keeps its settled value until the
 * next full collection, whether anything still needs it or not, and every young collection until then
 * treats what it reaches as alive: it copies the page's records and then promotes them. In bench (d) that
 * was about half of all allocation promoted. So whoever holds a page empties what it no longer needs:
 * here the body, and in the readers the page's `data` and child lists once their records are handed on.
 */
export function takeListPage(
  result: { readonly body: unknown; readonly requestId: string | undefined },
  context: { stream: string; path: string; objectType: string },
): ListPage {
  const page = parseListPage(result.body, { ...context, requestId: result.requestId });
  // parseListPage has checked the body is an object; its `data` is the body's array, not the page's.
  (result.body as { data?: unknown }).data = undefined;
  return page;
}
