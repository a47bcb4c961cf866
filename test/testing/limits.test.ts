import { describe, expect, it } from 'vitest';
import { createFakeStripe, type FaultKind } from '../../src/testing/index.js';
import { Latency } from '../../src/testing/latency.js';
import { NOW_MS, serve } from './helpers.js';

describe('rate limits', () => {
  it('answers 429 past the per-endpoint and global limits over a sliding second', async () => {
    // Limits count on the real clock: the fake's `now` (fixed here) only ages data.
    const served = await serve({ rateLimit: { global: 5, perEndpoint: 3 } });
    const statuses = async (path: string, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await served.request(path)).status);
      return out;
    };
    const started = performance.now();
    expect(await statuses('/v1/customers', 4)).toEqual([200, 200, 200, 429]);
    const limited = await served.request('/v1/customers');
    expect(limited.json).toEqual({ error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Request rate limit exceeded' } });
    expect(limited.headers.get('stripe-rate-limited-reason')).toBe('endpoint-rate');
    const invoices = served.fake.objects('invoices');
    // All /v1/invoices/{id}/lines are one endpoint.
    expect(await statuses(`/v1/invoices/${invoices[0]!.id}/lines`, 1)).toEqual([200]);
    expect(await statuses(`/v1/invoices/${invoices[1]!.id}/lines`, 1)).toEqual([200]);
    const lastAccepted = performance.now();
    const global = await served.request('/v1/products');
    expect(global.status).toBe(429);
    expect(global.headers.get('stripe-rate-limited-reason')).toBe('global-rate');
    expect(performance.now() - started).toBeLessThan(900); // all within one window, or the test proves nothing
    // Rejected requests took no budget: a second after the five accepted ones, everything is allowed again.
    await new Promise((resolve) => setTimeout(resolve, 1000 - (performance.now() - lastAccepted) + 30));
    expect(await statuses('/v1/customers', 3)).toEqual([200, 200, 200]);
    expect(served.fake.stats.byStatus['429']).toBe(3);
  });

  it('lets a client at the limit through on the real clock', async () => {
    const served = await serve({ rateLimit: { global: 1000, perEndpoint: 20 } });
    const replies = await Promise.all(Array.from({ length: 30 }, () => served.request('/v1/charges')));
    const counts = replies.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});
    expect(counts).toEqual({ 200: 20, 429: 10 });
  });
});

describe('faults', () => {
  const faulty = (kind: FaultKind) => serve({ faults: { probability: 1, kinds: [kind] } });

  it('server_error: 500 with an api_error body', async () => {
    const reply = await (await faulty('server_error')).request('/v1/customers');
    expect(reply.status).toBe(500);
    expect(reply.json.error.type).toBe('api_error');
  });

  it('rate_limit and lock_timeout: 429 with their codes', async () => {
    const limited = await (await faulty('rate_limit')).request('/v1/customers');
    expect([limited.status, limited.json.error.code]).toEqual([429, 'rate_limit']);
    const locked = await (await faulty('lock_timeout')).request('/v1/customers');
    expect([locked.status, locked.json.error.code, locked.json.error.type]).toEqual([429, 'lock_timeout', 'invalid_request_error']);
  });

  it('malformed_json: 200 with a truncated body', async () => {
    const reply = await (await faulty('malformed_json')).request('/v1/customers');
    expect(reply.status).toBe(200);
    expect(reply.text.startsWith('{"object":"list","data":[')).toBe(true);
    expect(() => JSON.parse(reply.text)).toThrow();
  });

  it('connection_reset: headers and part of the body, then the connection drops', async () => {
    const served = await faulty('connection_reset');
    await expect(served.request('/v1/customers')).rejects.toThrow();
    expect(served.fake.stats.byStatus).toEqual({ connection_reset: 1 });
  });

  it('timeout: no answer until the client gives up; close() drops the hung connection', async () => {
    const fake = createFakeStripe({ now: () => NOW_MS, faults: { probability: 1, kinds: ['timeout'] } });
    const server = await fake.listen();
    const started = Date.now();
    await expect(fetch(`${server.url}/v1/customers`, {
      headers: { Authorization: `Bearer ${fake.apiKey}` }, signal: AbortSignal.timeout(150),
    })).rejects.toThrow(/abort|timeout/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const hung = fetch(`${server.url}/v1/customers`, { headers: { Authorization: `Bearer ${fake.apiKey}` } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close();
    await expect(hung).rejects.toThrow();
  });

  it('only on the given path prefixes, at the given rate, the same per seed, without touching data', async () => {
    const served = await serve({ faults: { probability: 0.5, paths: ['/v1/charges'], kinds: ['server_error'] } });
    const customers = await Promise.all(Array.from({ length: 20 }, () => served.request('/v1/customers')));
    expect(customers.every((r) => r.status === 200)).toBe(true);
    const run = async () => {
      const s = await serve({ faults: { probability: 0.5, paths: ['/v1/charges'], kinds: ['server_error'] } });
      const out: number[] = [];
      for (let i = 0; i < 40; i++) out.push((await s.request('/v1/charges')).status);
      return out;
    };
    const first = await run();
    expect(first.filter((s) => s === 500).length).toBeGreaterThan(8);
    expect(first.filter((s) => s === 200).length).toBeGreaterThan(8);
    expect(await run()).toEqual(first);
  });
});

describe('latency', () => {
  it('delays every response', async () => {
    const served = await serve({ latencyMs: 60 });
    const started = Date.now();
    await served.request('/v1/customers', { key: 'sk_test_wrong' });
    await served.request('/v1/customers');
    expect(Date.now() - started).toBeGreaterThanOrEqual(115);
  });

  it('is long-tailed around the median when a p99 is given', () => {
    const latency = new Latency(100, 1000, 1);
    const samples = Array.from({ length: 20_000 }, () => latency.sample()).sort((a, b) => a - b);
    const at = (q: number) => samples[Math.floor(q * samples.length)]!;
    expect(at(0.5)).toBeGreaterThan(90);
    expect(at(0.5)).toBeLessThan(110);
    expect(at(0.99)).toBeGreaterThan(850);
    expect(at(0.99)).toBeLessThan(1150);
  });
});
