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
  readonly data: readonly StripeObject[];
  readonly hasMore: boolean;
}

const listSchema = z.object({
  object: z.literal('list'),
  data: z.array(
    z.looseObject({
      id: z.string().min(1),
      object: z.string().min(1),
      created: z.number().int().optional(),
    }),
  ),
  has_more: z.boolean(),
});

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
  for (const item of data) {
    if (item.object !== context.objectType) fail(`an object of type "${item.object}" (${item.id}) where "${context.objectType}" was expected`);
  }
  return { data: data as StripeObject[], hasMore };
}
