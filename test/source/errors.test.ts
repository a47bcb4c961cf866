import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  CheckpointError,
  ConfigError,
  PermissionError,
  RateLimitError,
  StripeApiError,
  StripeSource,
  type Checkpoint,
} from '../../src/index.js';
import { applyMessages, collect, expectExact, startFake, truth } from './helpers.js';

/** Every observable text of an error, cause chain included, as a log line or a crash report would show it. */
function everything(error: unknown): string {
  return `${String(error)}\n${inspect(error, { depth: 8 })}\n${(error as Error).stack ?? ''}`;
}

describe('failures', () => {
  it('a wrong key is an AuthenticationError that never shows the key', async () => {
    const { fake, url } = await startFake();
    const key = 'sk_test_51WrongKeyNeverToBeSeen0123456789';
    const source = new StripeSource({ apiKey: key, baseUrl: url, minRetryDelayMs: 1 });
    const error = await collect(source.read()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).name).toBe('AuthenticationError');
    expect((error as AuthenticationError).statusCode).toBe(401);
    expect((error as AuthenticationError).requestId).toMatch(/^req_/);
    expect(everything(error)).not.toContain(key);
    await expect(source.check()).rejects.toBeInstanceOf(AuthenticationError);
    expect(fake.stats.byStatus['401']).toBeGreaterThan(0);
  });

  it('check() reports streams a restricted key may not read, with the permission Stripe named', async () => {
    const { fake, source } = await startFake();
    const key = fake.restrictedKey({ deny: ['subscriptions'] });
    const result = await source({ apiKey: key }).check();
    expect(result.keyKind).toBe('restricted');
    expect(result.mode).toBe('test');
    const byName = Object.fromEntries(result.streams.map((s) => [s.stream, s]));
    expect(byName.subscriptions).toMatchObject({ status: 'forbidden', permission: 'rak_subscription_read' });
    expect(byName.subscription_items?.status).toBe('forbidden');
    expect(byName.customers?.status).toBe('ok');
  });

  it('reading a forbidden stream is a PermissionError naming the stream and the permission', async () => {
    const { fake, source } = await startFake();
    const key = fake.restrictedKey({ deny: ['charges'] });
    const error = await collect(source({ apiKey: key }).read({ streams: ['charges'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionError);
    expect((error as PermissionError).stream).toBe('charges');
    expect((error as PermissionError).permission).toBe('rak_charge_read');
    expect((error as Error).message).toContain('rak_charge_read');
    expect(everything(error)).not.toContain(key);
  });

  it('429s and 5xx are retried: the sync completes exactly', async () => {
    const { fake, source } = await startFake({
      seed: 4,
      records: { customers: 4000, charges: 4000 },
      faults: { probability: 0.2, kinds: ['rate_limit', 'lock_timeout', 'server_error', 'malformed_json', 'connection_reset'] },
    });
    const s = source({ maxRetries: 12 });
    const retries: string[] = [];
    let rateLimited = 0;
    s.on('retry', (e) => retries.push(e.reason));
    s.on('rate_limited', () => (rateLimited += 1));
    const messages = await collect(s.read({ streams: ['customers', 'charges'] }));
    expectExact(applyMessages(messages), truth(fake, ['customers', 'charges']));
    expect(retries.length).toBeGreaterThan(0);
    expect(rateLimited).toBeGreaterThan(0);
    // Every injected kind was met and survived (the fake counts what it injected by status or fault).
    expect(fake.stats.byStatus['500']).toBeGreaterThan(0);
    expect(fake.stats.byStatus['connection_reset']).toBeGreaterThan(0);
    for (const reason of ['server_error', 'malformed_response', 'network']) expect(retries).toContain(reason);
    expect(retries.some((r) => r === 'rate_limit' || r === 'lock_timeout')).toBe(true);
  });

  it('a 5xx that never heals ends in a StripeApiError with the stream and request id, after the retries', async () => {
    const { fake, source } = await startFake({ faults: { probability: 1, kinds: ['server_error'], paths: ['/v1/charges'] } });
    const s = source({ maxRetries: 2 });
    const attempts: number[] = [];
    s.on('request', (e) => {
      if (e.path.startsWith('/v1/charges')) attempts.push(e.attempt);
    });
    const error = await collect(s.read({ streams: ['charges'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StripeApiError);
    expect((error as StripeApiError).stream).toBe('charges');
    expect((error as StripeApiError).statusCode).toBe(500);
    expect((error as StripeApiError).requestId).toMatch(/^req_/);
    // A request is tried 1 + maxRetries times, never more; the first to give up stops the read.
    expect(Math.max(...attempts)).toBe(3);
    expect(fake.stats.byPath['/v1/charges']).toBeLessThanOrEqual(attempts.length);
  });

  it('429s that never stop end in a RateLimitError', async () => {
    const { source } = await startFake({ faults: { probability: 1, kinds: ['rate_limit'], paths: ['/v1/customers'] } });
    const error = await collect(source({ maxRetries: 1 }).read({ streams: ['customers'] })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as Error).message).toMatch(/maxRequestsPerSecond/);
  });

  it('a checkpoint of another account, mode or version is a CheckpointError, never a fresh start', async () => {
    const { fake, source } = await startFake({ records: { customers: 20 } });
    const messages = await collect(source().read({ streams: ['customers'] }));
    const cp = (messages.at(-1) as { checkpoint: Checkpoint }).checkpoint;
    const before = fake.stats.total;
    await expect(collect(source().read({ checkpoint: { ...cp, account: 'acct_1Other000000000' } }))).rejects.toBeInstanceOf(CheckpointError);
    await expect(collect(source().read({ checkpoint: { ...cp, livemode: true } }))).rejects.toBeInstanceOf(CheckpointError);
    const sent = fake.stats.total - before;
    // Damaged and unknown-version checkpoints are refused before any request.
    await expect(collect(source().read({ checkpoint: { ...cp, version: 99 } }))).rejects.toThrow(/version 99/);
    await expect(collect(source().read({ checkpoint: JSON.stringify(cp).slice(0, 40) }))).rejects.toBeInstanceOf(CheckpointError);
    expect(fake.stats.total - before).toBe(sent);
  });

  it('bad options fail in the constructor and send nothing', async () => {
    const { fake, url } = await startFake();
    expect(() => new StripeSource({ apiKey: 'pk_test_abc123', baseUrl: url })).toThrow(ConfigError);
    expect(() => new StripeSource({ apiKey: fake.apiKey, baseUrl: url, streams: ['order_returns' as never] })).toThrow(/Orders API/);
    await expect(collect(new StripeSource({ apiKey: fake.apiKey, baseUrl: url }).read({ streams: ['nope' as never] }))).rejects.toBeInstanceOf(ConfigError);
    expect(fake.stats.total).toBe(0);
  });

  it("one read's abort does not fail another read of the same source waiting on the account", async () => {
    const { fake, source } = await startFake({ records: { customers: 60 }, latencyMs: 80 });
    const shared = source();
    const controller = new AbortController();
    const aborted = collect(shared.read({ streams: ['customers'], signal: controller.signal })).catch((e: unknown) => e);
    const other = collect(shared.read({ streams: ['customers'] }));
    controller.abort();
    expect(await aborted).toMatchObject({ name: 'AbortError' });
    expectExact(applyMessages(await other), truth(fake, ['customers']));
  });

  it('an abort stops the read promptly and the last checkpoint resumes it', async () => {
    const { fake, source } = await startFake({ records: { charges: 2000 }, latencyMs: 20 });
    const controller = new AbortController();
    const seen: import('../../src/index.js').Message[] = [];
    let checkpoint: Checkpoint | undefined;
    const error = await (async () => {
      for await (const m of source().read({ streams: ['charges'], signal: controller.signal })) {
        seen.push(m);
        if (m.type === 'checkpoint') {
          checkpoint = m.checkpoint;
          if (seen.length > 500) controller.abort();
        }
      }
    })().catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    const rest = await collect(source().read({ streams: ['charges'], checkpoint }));
    const cut = seen.findLastIndex((m) => m.type === 'checkpoint');
    expectExact(applyMessages(rest, applyMessages(seen.slice(0, cut + 1))), truth(fake, ['charges']));
  });
});
