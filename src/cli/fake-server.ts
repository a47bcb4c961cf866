import type { Writable } from 'node:stream';
import { createFakeStripe } from '../testing/index.js';
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
  readonly signal: AbortSignal;
  readonly out: Writable;
}

/** `stripe-source fake-server`: serves until the signal fires, announcing itself in one JSON line. */
export async function runFakeServer(options: FakeServerCommandOptions): Promise<void> {
  const fake = createFakeStripe({
    seed: options.seed,
    ...(options.records !== undefined ? { records: demoRecordCounts(options.records) } : {}),
    latencyMs: options.latencyMs,
    rateLimit: options.rateLimit === 'off' ? false : STRIPE_LIMITS[options.rateLimit],
    ...(options.nowMs !== undefined ? { now: () => options.nowMs! } : {}),
  });
  const server = await fake.listen({ port: options.port });
  options.out.write(`${JSON.stringify({ url: server.url, apiKey: fake.apiKey, accountId: fake.accountId })}\n`);
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    options.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
}
