import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { StripeSource } from '../source.js';
import { createFakeStripe } from '../testing/index.js';
import { demoRecordCounts } from './demo-data.js';
import { STRIPE_LIMITS } from './fake-server.js';
import { runSync } from './run-sync.js';

export interface DemoOptions {
  readonly dir: string;
  readonly records: number;
  readonly seed: number;
  /** No latency and no limits: for a quick look. */
  readonly fast: boolean;
  readonly signal: AbortSignal;
  readonly out: Writable & { isTTY?: boolean; columns?: number };
}

// The fake account's clock stands still, so that every run of the demo serves the same objects and a
// second run resumes instead of finding a shifted account.
const DEMO_NOW_MS = Date.UTC(2026, 10, 1);

/**
 * The main job, end to end and offline: a fake Stripe account on 127.0.0.1 with Stripe's live rate limits
 * and list latency, synced through the public API into local files.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  const fake = createFakeStripe({
    seed: options.seed,
    records: demoRecordCounts(options.records),
    now: () => DEMO_NOW_MS,
    latencyMs: options.fast ? 0 : { median: 250, p99: 1200 },
    rateLimit: options.fast ? false : STRIPE_LIMITS.live,
  });
  const server = await fake.listen();
  try {
    options.out.write(`Fake Stripe account ${fake.accountId} at ${server.url}: syncing into ${options.dir}\n`);
    const source = new StripeSource({
      apiKey: fake.apiKey,
      baseUrl: server.url,
      // The fake enforces live-mode limits (100/s, 25/s per endpoint); stay just under them.
      maxRequestsPerSecond: 96,
      maxRequestsPerSecondPerEndpoint: 24,
    });
    const { resumed } = await runSync({ source, dir: options.dir, signal: options.signal, out: options.out });
    if (resumed) options.out.write('Resumed from the checkpoint: only what was left (or new) was read.\n');
    options.out.write(`Files: ${join(options.dir, '<stream>.ndjson')} and ${join(options.dir, 'checkpoint.json')}\n`);
  } finally {
    await server.close();
  }
}
