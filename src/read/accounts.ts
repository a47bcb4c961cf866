import { ConfigError, StripeSourceError } from '../errors.js';
import type { StripeHttp } from '../http/client.js';
import { takeListPage } from './list-page.js';

/** A connected account as fan-out needs it. */
export interface ConnectedAccount {
  readonly id: string;
  /** When it was created (unix seconds), when Stripe says: no object of it is older. */
  readonly created: number | undefined;
}

const PAGE_SIZE = 100;

/**
 * The connected accounts to read: every account the platform lists at `/v1/accounts` (`'all'`), or the
 * accounts named, each checked with `GET /v1/accounts/{id}` so that a wrong id fails before any data is read.
 */
export async function discoverAccounts(options: { http: StripeHttp; accounts: 'all' | readonly string[]; signal: AbortSignal }): Promise<ConnectedAccount[]> {
  const { http, signal } = options;
  if (options.accounts === 'all') {
    const found: ConnectedAccount[] = [];
    let after: string | undefined;
    for (;;) {
      const result = await http.get({ stream: 'accounts', path: '/v1/accounts', query: { limit: PAGE_SIZE, ...(after ? { starting_after: after } : {}) }, signal });
      const page = takeListPage(result, { stream: 'accounts', path: '/v1/accounts', objectType: 'account' });
      for (const account of page.data) found.push({ id: account.id, created: createdOf(account) });
      if (!page.hasMore) return found;
      after = page.data[page.data.length - 1]!.id;
    }
  }
  return Promise.all(options.accounts.map(async (id) => {
    try {
      const { body } = await http.get({ stream: 'accounts', path: `/v1/accounts/${encodeURIComponent(id)}`, signal });
      return { id, created: createdOf(body) };
    } catch (error) {
      if (error instanceof StripeSourceError && (error.statusCode === 403 || error.statusCode === 404)) {
        throw new ConfigError([`accounts: ${id} is not a connected account this key may read (Stripe answered ${error.statusCode}${error.code ? `, ${error.code}` : ''}). Remove it, or use the key of the platform it is connected to.`], { cause: error });
      }
      throw error;
    }
  }));
}

function createdOf(account: unknown): number | undefined {
  const created = (account as { created?: unknown } | null)?.created;
  return typeof created === 'number' && Number.isInteger(created) ? created : undefined;
}
