import type { Writable } from 'node:stream';
import { getStream, type StreamName } from '../catalog/streams.js';
import { createFakeStripe, type ConnectedAccountOptions } from '../testing/index.js';
import { demoRecordCounts } from './demo-data.js';

/** Stripe's published limits, for a fake that should push back like the real one. */
export const STRIPE_LIMITS = { live: { global: 100, perEndpoint: 25 }, test: { global: 25, perEndpoint: 25 } } as const;

export interface FakeServerCommandOptions {
  readonly port: number;
  readonly seed: number;
  readonly records: number | undefined;
  readonly latencyMs: number;
  readonly rateLimit: 'live' | 'test' | 'off';
  /** A frozen clock (ms), for a reproducible account. */
  readonly nowMs: number | undefined;
  /** Connected accounts of a spread of sizes (see `connectedAccounts`); none by default. */
  readonly accounts?: number;
  readonly signal: AbortSignal;
  readonly out: Writable;
}

const DAY = 24 * 60 * 60;
/** The platform's own default size: 15 objects in each of its 24 top-level streams. */
const DEFAULT_PLATFORM_RECORDS = 360;
/** Even the smallest account has some of everything, so every stream of it has something to read. */
const MIN_ACCOUNT_RECORDS = 40;
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/**
 * `n` connected accounts sized like a real platform's: a long tail (account i holds about 1/(i+1) of
 * `largest` objects, never fewer than 40), the big ones older (the first joined about three years before
 * `nowSeconds`, the last a month before). Ids are fixed per position, so a test can name them.
 */
export function connectedAccounts(n: number, largest: number, nowSeconds: number): Record<string, ConnectedAccountOptions> {
  const accounts: Record<string, ConnectedAccountOptions> = {};
  for (let i = 0; i < n; i++) {
    const total = Math.max(MIN_ACCOUNT_RECORDS, Math.round(largest / (i + 1)));
    // Platform-scoped streams (transfers, application fees) are the platform's, not its accounts'.
    const records = Object.fromEntries(Object.entries(demoRecordCounts(total))
      .filter(([stream]) => getStream(stream as StreamName).scope !== 'platform')) as Partial<Record<StreamName, number>>;
    const age = Math.round(30 * DAY + ((n - 1 - i) / Math.max(1, n - 1)) * (3 * 365 - 30) * DAY);
    accounts[`acct_1Connected${base62(i, 8)}`] = { records, startDate: nowSeconds - age };
  }
  return accounts;
}

function base62(value: number, width: number): string {
  let out = '';
  for (let v = value; out.length < width; v = Math.floor(v / 62)) out = BASE62[v % 62] + out;
  return out;
}

/** `stripe-source fake-server`: serves until the signal fires, announcing itself in one JSON line. */
export async function runFakeServer(options: FakeServerCommandOptions): Promise<void> {
  const nowSeconds = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const fake = createFakeStripe({
    seed: options.seed,
    ...(options.records !== undefined ? { records: demoRecordCounts(options.records) } : {}),
    latencyMs: options.latencyMs,
    rateLimit: options.rateLimit === 'off' ? false : STRIPE_LIMITS[options.rateLimit],
    ...(options.nowMs !== undefined ? { now: () => options.nowMs! } : {}),
    ...(options.accounts ? { accounts: connectedAccounts(options.accounts, options.records ?? DEFAULT_PLATFORM_RECORDS, nowSeconds) } : {}),
  });
  const server = await fake.listen({ port: options.port });
  options.out.write(`${JSON.stringify({ url: server.url, apiKey: fake.apiKey, accountId: fake.accountId, accounts: fake.accounts })}\n`);
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
}
