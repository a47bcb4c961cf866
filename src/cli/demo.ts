import { access } from 'node:fs/promises';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { StripeSource } from '../source.js';
import { createFakeStripe } from '../testing/index.js';
import { applyDemoActivity, demoRecordCounts } from './demo-data.js';
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
// second run resumes instead of finding a shifted account. A later run plays a day's business a minute
// after that moment and reads three minutes after it, past the source's event lag.
export const DEMO_NOW_MS = Date.UTC(2026, 10, 1);
export const ACTIVITY_AT_MS = DEMO_NOW_MS + 60_000;
const LATER_RUN_AT_MS = DEMO_NOW_MS + 180_000;

/**
 * The main job, end to end and offline: a fake Stripe account on 127.0.0.1 with Stripe's live rate limits
 * and list latency, synced through the public API into local files.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  let clock = DEMO_NOW_MS;
  const fake = createFakeStripe({
    seed: options.seed,
    records: demoRecordCounts(options.records),
    now: () => clock,
    latencyMs: options.fast ? 0 : { median: 250, p99: 1200 },
    rateLimit: options.fast ? false : STRIPE_LIMITS.live,
  });
  const server = await fake.listen();
  try {
    options.out.write(`Fake Stripe account ${fake.accountId} at ${server.url}: syncing into ${options.dir}\n`);
    if (await hasCheckpoint(options.dir)) {
      clock = ACTIVITY_AT_MS;
      const activity = applyDemoActivity(fake);
      clock = LATER_RUN_AT_MS;
      options.out.write(
        `Since the first run, the fake account changed: ${activity.updated} objects updated, ${activity.canceled} subscriptions canceled, ` +
        `${activity.deleted} objects deleted, ${activity.created} customers created. This run picks them up from its events.\n`,
      );
    }
    const source = new StripeSource({
      apiKey: fake.apiKey,
      baseUrl: server.url,
      now: () => clock,
      // The fake enforces live-mode limits (100/s, 25/s per endpoint) with a test key, whose defaults are
      // test mode's (25/s in all): ask for the live ones.
      maxRequestsPerSecond: 100,
      maxRequestsPerSecondPerEndpoint: 25,
    });
    const { resumed } = await runSync({ source, dir: options.dir, signal: options.signal, out: options.out });
    if (resumed) options.out.write('Resumed from the checkpoint: only what was left, new, changed or deleted was read.\n');
    options.out.write(`Files: ${join(options.dir, '<stream>.ndjson')} and ${join(options.dir, 'checkpoint.json')}\n`);
  } finally {
    await server.close();
  }
}

async function hasCheckpoint(dir: string): Promise<boolean> {
  return access(join(dir, 'checkpoint.json')).then(() => true, () => false);
}
