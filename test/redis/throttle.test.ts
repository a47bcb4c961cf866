import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { SourceEmitter } from '../../src/events.js';
import { StripeHttp } from '../../src/http/client.js';
import { defaultBudgetKey, RedisThrottle } from '../../src/http/redis-throttle.js';
import { createFakeStripe } from '../../src/testing/index.js';
import { describeRedis, freshKey, maxInWindow, minGap, REDIS_URL } from './helpers.js';

describeRedis('RedisThrottle: buckets shared through Redis', () => {
  let redis: Redis;
  const throttles: RedisThrottle[] = [];
  beforeAll(() => {
    redis = new Redis(REDIS_URL!);
  });
  afterEach(async () => {
    await Promise.all(throttles.splice(0).map((t) => t.stop()));
  });
  afterAll(async () => {
    await redis.quit();
  });

  function throttle(key: string, rates: { globalPerSecond: number; endpointPerSecond: number }, via: 'url' | 'client' = 'url'): RedisThrottle {
    const t = new RedisThrottle({ ...rates, key, redis: via === 'url' ? REDIS_URL! : redis });
    throttles.push(t);
    return t;
  }

  it('two throttles on one key send at the shared global rate, not at twice it', async () => {
    const key = freshKey('global');
    // Each believes it has 20/s to itself, as two processes configured alike would.
    const a = throttle(key, { globalPerSecond: 20, endpointPerSecond: 1000 });
    const b = throttle(key, { globalPerSecond: 20, endpointPerSecond: 1000 }, 'client');
    const sends: Array<{ who: string; at: number }> = [];
    const run = (t: RedisThrottle, who: string) =>
      Array.from({ length: 20 }, (_, i) => t.schedule(`/v1/${who}${i % 2}`, async () => void sends.push({ who, at: performance.now() })));
    await Promise.all([...run(a, 'a'), ...run(b, 'b')]);
    expect(sends).toHaveLength(40);
    const times = sends.map((s) => s.at);
    // Unshared, the two would send 40 in the first second. Shared: 20 per sliding second (one more at most
    // where a late send meets a punctual one), and never two sends closer than the hold.
    expect(maxInWindow(times)).toBeLessThanOrEqual(21);
    expect(minGap(times)).toBeGreaterThanOrEqual(0.9 * 50 - 1);
    // Both got turns all along, not one after the other.
    const firstHalf = sends.slice(0, 20).map((s) => s.who);
    expect(firstHalf.filter((w) => w === 'a').length).toBeGreaterThanOrEqual(5);
    expect(firstHalf.filter((w) => w === 'b').length).toBeGreaterThanOrEqual(5);
  });

  it('shares each endpoint’s bucket, and keeps endpoints apart', async () => {
    const key = freshKey('endpoint');
    const a = throttle(key, { globalPerSecond: 1000, endpointPerSecond: 10 });
    const b = throttle(key, { globalPerSecond: 1000, endpointPerSecond: 10 });
    const charges: number[] = [];
    let other = Infinity;
    const tasks = [
      ...Array.from({ length: 6 }, () => a.schedule('/v1/charges', async () => void charges.push(performance.now()))),
      ...Array.from({ length: 6 }, () => b.schedule('/v1/charges', async () => void charges.push(performance.now()))),
      b.schedule('/v1/customers', async () => void (other = performance.now())),
    ];
    await Promise.all(tasks);
    expect(charges).toHaveLength(12);
    // 10 per second for /v1/charges across both: 12 sends take more than a second.
    expect(minGap(charges)).toBeGreaterThanOrEqual(0.9 * 100 - 1);
    expect(maxInWindow(charges)).toBeLessThanOrEqual(11);
    // /v1/customers has its own bucket: it does not wait behind the charges.
    expect(other).toBeLessThan([...charges].sort((x, y) => x - y)[4]!);
  });

  it('a 429 seen by one throttle slows every throttle of the key', async () => {
    const key = freshKey('aimd');
    const a = throttle(key, { globalPerSecond: 20, endpointPerSecond: 1000 });
    const b = throttle(key, { globalPerSecond: 20, endpointPerSecond: 1000 });
    await a.schedule('/v1/x', async () => undefined);
    await b.schedule('/v1/x', async () => undefined);
    a.penalize('/v1/x', 'global-rate', performance.now());
    a.penalize('/v1/x', 'global-rate', performance.now() + 600);
    a.penalize('/v1/x', 'global-rate', performance.now() + 1200);
    // 20 -> 18 -> 16.2 (near misses, 10% each) -> 11.34 (429s that go on, 30%).
    expect(a.rates('/v1/x').global).toBeCloseTo(11.34, 5);
    // b never saw a 429, but the budget's pace in Redis is a's: 11.34/s, about 88 ms apart.
    await new Promise((done) => setTimeout(done, 50));
    const times: number[] = [];
    await Promise.all(Array.from({ length: 6 }, () => b.schedule('/v1/y', async () => void times.push(performance.now()))));
    const sorted = [...times].sort((x, y) => x - y);
    expect((sorted.at(-1)! - sorted[0]!) / 5).toBeGreaterThanOrEqual(0.95 * (1000 / 11.34));
  });

  it('names budgets by a hash of the key and mode, never the key; leaves only those keys in Redis', async () => {
    const apiKey = 'sk_test_51SecretForTheBudgetName0000';
    const name = defaultBudgetKey(apiKey, 'test');
    expect(name).toMatch(/^stripe-source:[0-9a-f]{16}$/);
    expect(name).not.toContain('Secret');
    expect(defaultBudgetKey(apiKey, 'live')).not.toBe(name);
    const t = throttle(name, { globalPerSecond: 100, endpointPerSecond: 100 });
    await t.schedule('/v1/charges', async () => undefined);
    const keys = await redis.keys(`*${name}*`);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.some((k) => k.includes(`${name}:global`))).toBe(true);
    expect(keys.some((k) => k.includes(`${name}:endpoint:/v1/charges`))).toBe(true);
    expect((await redis.keys('*sk_test_*')).length).toBe(0);
  });

  it('the client takes the Redis buckets when rateLimit is set, which cap no pages; a connected account gets a budget of its own', async () => {
    const fake = createFakeStripe({ records: { customers: 5 } });
    const server = await fake.listen();
    try {
      const key = freshKey('client');
      const config = resolveConfig({ apiKey: fake.apiKey, baseUrl: server.url, rateLimit: { redis: REDIS_URL!, key } });
      const http = StripeHttp.create(config, new SourceEmitter());
      await http.get({ stream: 'customers', path: '/v1/customers', query: { limit: 1 } });
      // The shared buckets have no in-flight limit, so they cap no pages (a fallback of 0 would stall every read at one page).
      expect(http.pageCap()).toBe(Infinity);
      await http.forConnectedAccount('acct_1Other').get({ stream: 'customers', path: '/v1/customers', query: { limit: 1 } }).catch(() => undefined);
      const keys = await redis.keys(`b_${key}*_settings`);
      expect(keys.sort()).toEqual([
        `b_${key}:acct_1Other:endpoint:/v1/customers_settings`,
        `b_${key}:acct_1Other:global_settings`,
        `b_${key}:endpoint:/v1/customers_settings`,
        `b_${key}:global_settings`,
      ]);
    } finally {
      await server.close();
    }
  });

  it('fails a request with a clear error, without the password, when Redis cannot be reached', async () => {
    const t = new RedisThrottle({ globalPerSecond: 10, endpointPerSecond: 10, key: freshKey('down'), redis: 'redis://user:hunter2secret@127.0.0.1:1/0' });
    throttles.push(t);
    const error = await t.schedule('/v1/charges', async () => 'sent').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('StripeSourceError');
    expect((error as Error).message).toMatch(/shared rate limit could not use Redis/);
    expect(JSON.stringify({ m: (error as Error).message, s: (error as Error).stack })).not.toContain('hunter2');
  }, 20_000);
});
