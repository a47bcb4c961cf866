import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFakeStripe, FAULT_KINDS, TRANSIENT_FAULT_KINDS, type FaultKind } from '../../src/testing/index.js';
import { NOW_MS, serve } from './helpers.js';

const faulty = (kind: FaultKind) => serve({ records: { customers: 30 }, faults: { probability: 1, kinds: [kind] } });

describe('fault kinds over the local server', () => {
  it('bad_gateway and service_unavailable: 502 and 503 with an api_error body', async () => {
    const bad = await (await faulty('bad_gateway')).request('/v1/customers');
    expect([bad.status, bad.json.error.type]).toEqual([502, 'api_error']);
    const unavailable = await (await faulty('service_unavailable')).request('/v1/customers');
    expect([unavailable.status, unavailable.json.error.type]).toEqual([503, 'api_error']);
    expect(unavailable.headers.get('request-id')).toMatch(/^req_/);
  });

  it('no_retry_server_error: a 500 with Stripe-Should-Retry: false', async () => {
    const reply = await (await faulty('no_retry_server_error')).request('/v1/customers');
    expect(reply.status).toBe(500);
    expect(reply.headers.get('stripe-should-retry')).toBe('false');
    expect(reply.json.error.type).toBe('api_error');
  });

  it('html_error: a proxy\'s 502 page in HTML', async () => {
    const reply = await (await faulty('html_error')).request('/v1/customers');
    expect(reply.status).toBe(502);
    expect(reply.headers.get('content-type')).toMatch(/^text\/html/);
    expect(reply.text).toMatch(/<h1>502 Bad Gateway<\/h1>/);
    expect(reply.json).toBeUndefined();
  });

  it('truncated_json: a list cut right after a complete record, half way through data', async () => {
    const served = await faulty('truncated_json');
    const reply = await served.request('/v1/customers?limit=10');
    expect(reply.status).toBe(200);
    expect(() => JSON.parse(reply.text)).toThrow();
    const truth = served.fake.objects('customers').slice(0, 5);
    // Exactly the first five records, whole, and nothing after them: no closing bracket, no has_more.
    expect(JSON.parse(`${reply.text}]}`)).toEqual({ object: 'list', data: truth });
  });

  it('hung: status, headers and half the body, then nothing until the client gives up; close() drops it', async () => {
    const fake = createFakeStripe({ now: () => NOW_MS, faults: { probability: 1, kinds: ['hung'] } });
    const server = await fake.listen();
    const response = await fetch(`${server.url}/v1/customers`, { headers: { Authorization: `Bearer ${fake.apiKey}` } });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toMatch(/^\{"object":"list"/);
    const rest = reader.read();
    await server.close();
    await expect(rest).rejects.toThrow();
    expect(fake.stats.byStatus).toEqual({ hung: 1 });
  });

  it('without kinds, faults are drawn from the transient kinds only', async () => {
    expect(TRANSIENT_FAULT_KINDS).toEqual(FAULT_KINDS.filter((k) => k !== 'no_retry_server_error'));
    const fake = createFakeStripe({ now: () => NOW_MS, faults: { probability: 1 } });
    const seen = new Set<string>();
    for (let i = 0; i < 300; i++) {
      const response = await fake.handle({ method: 'GET', url: '/v1/customers', headers: { Authorization: `Bearer ${fake.apiKey}` } });
      expect(response.headers['Stripe-Should-Retry']).toBeUndefined();
      seen.add(response.fault ?? `${response.status} ${response.headers['Content-Type']} ${response.body.slice(-2)}`);
    }
    // 500, 502, 503, 502 html, 429 (twice: rate_limit and lock_timeout share a status), two cut 200s, three transport faults.
    expect(seen.size).toBeGreaterThanOrEqual(9);
  });

  it('refuses an unknown kind', () => {
    expect(() => createFakeStripe({ faults: { probability: 0.1, kinds: ['gateway_timeout' as FaultKind] } })).toThrow(/faults\.kinds/);
  });
});

describe('fault kinds through msw', () => {
  const server = setupServer();
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  it('hung: the body starts, then fails once the client gives up', async () => {
    const fake = createFakeStripe({ now: () => NOW_MS, faults: { probability: 1, kinds: ['hung'] } });
    server.use(...fake.handlers);
    const controller = new AbortController();
    const response = await fetch('https://api.stripe.com/v1/customers', {
      headers: { Authorization: `Bearer ${fake.apiKey}` }, signal: controller.signal,
    });
    expect(response.status).toBe(200);
    const text = response.text();
    controller.abort();
    await expect(text).rejects.toThrow();
  });

  it('html_error and truncated_json reach the client as they are', async () => {
    const html = createFakeStripe({ now: () => NOW_MS, faults: { probability: 1, kinds: ['html_error'] } });
    server.use(...html.handlers);
    const page = await fetch('https://api.stripe.com/v1/customers', { headers: { Authorization: `Bearer ${html.apiKey}` } });
    expect([page.status, page.headers.get('content-type')]).toEqual([502, 'text/html; charset=utf-8']);
    server.resetHandlers();
    const cut = createFakeStripe({ now: () => NOW_MS, faults: { probability: 1, kinds: ['truncated_json'] } });
    server.use(...cut.handlers);
    const reply = await fetch('https://api.stripe.com/v1/customers?limit=4', { headers: { Authorization: `Bearer ${cut.apiKey}` } });
    expect(JSON.parse(`${await reply.text()}]}`).data).toEqual(cut.objects('customers').slice(0, 2));
  });
});
