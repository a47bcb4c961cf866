import { afterEach } from 'vitest';
import { createFakeStripe, type FakeStripe, type FakeStripeOptions } from '../../src/testing/index.js';

/** A fixed clock: the data and the 30-day event window don't drift while tests run. */
export const NOW_MS = Date.UTC(2026, 9, 15, 12, 0, 0);
export const NOW = Math.floor(NOW_MS / 1000);

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

export interface Served {
  readonly fake: FakeStripe;
  readonly url: string;
  /** GET (or another method) through real HTTP, with the fake's key unless `key` says otherwise. */
  request(path: string, init?: { key?: string | null; method?: string; headers?: Record<string, string> }): Promise<Reply>;
}

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
  readonly json: any;
}

/** A fake on 127.0.0.1 (closed after the test), clock fixed unless the options give one. */
export async function serve(options: FakeStripeOptions = {}): Promise<Served> {
  const fake = createFakeStripe({ now: () => NOW_MS, ...options });
  const server = await fake.listen();
  closers.push(() => server.close());
  return {
    fake,
    url: server.url,
    async request(path, init = {}) {
      const key = init.key === undefined ? fake.apiKey : init.key;
      const response = await fetch(`${server.url}${path}`, {
        method: init.method ?? 'GET',
        headers: { ...(key === null ? {} : { Authorization: `Bearer ${key}` }), ...init.headers },
      });
      const text = await response.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.status, headers: response.headers, text, json };
    },
  };
}

/** Every object of a list, paged with `limit=100` and `starting_after`, as the library reads. */
export async function pageAll(served: Served, path: string, query = ''): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  let after: string | undefined;
  for (;;) {
    const sep = path.includes('?') ? '&' : '?';
    const reply = await served.request(`${path}${sep}limit=100${query}${after ? `&starting_after=${after}` : ''}`);
    if (reply.status !== 200) throw new Error(`${path}: ${reply.status} ${reply.text}`);
    out.push(...reply.json.data);
    if (!reply.json.has_more) return out;
    after = reply.json.data.at(-1).id;
  }
}

export const ids = (objects: ReadonlyArray<{ readonly id?: unknown }>): string[] => objects.map((o) => o.id as string);
