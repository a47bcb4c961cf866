import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BufferedHttpClient } from '../../src/http/buffered-http-client.js';
import { StripeGet } from '../../src/http/stripe-get.js';

// StripeGet sends GETs without stripe-node's request sender. These tests hold it to what that sender does:
// the same request headers, and for every kind of failure the same error (class, status, code, request id,
// headers, message), each side by side with `stripe.rawRequest` through the client the library used before.

const API_KEY = `sk_test_${'a'.repeat(24)}`;

interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Never answer (a timeout). */
  readonly hang?: boolean;
  /** Send the headers and half a body, then drop the connection. */
  readonly cut?: boolean;
  /** Send the headers and half a body, then nothing more (a timeout while reading). */
  readonly stall?: boolean;
  /** Drop the connection without an answer: every time, or only the first time this path is asked. */
  readonly reset?: boolean;
  readonly resetFirst?: boolean;
}

const answers: Record<string, Answer> = {
  '/v1/customers?limit=1': { status: 200, headers: { 'request-id': 'req_ok' }, body: JSON.stringify({ object: 'list', data: [], has_more: false, url: '/v1/customers' }) },
  '/v1/bad': { status: 400, headers: { 'request-id': 'req_400' }, body: JSON.stringify({ error: { type: 'invalid_request_error', code: 'parameter_unknown', param: 'x', message: 'Received unknown parameter: x' } }) },
  '/v1/auth': { status: 401, headers: { 'request-id': 'req_401' }, body: JSON.stringify({ error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****aaaa' } }) },
  '/v1/perm': { status: 403, headers: { 'request-id': 'req_403' }, body: JSON.stringify({ error: { type: 'invalid_request_error', code: 'secret_key_required', message: "Having the 'rak_charge_read' permission would allow this request to continue." } }) },
  '/v1/gone': { status: 404, headers: { 'request-id': 'req_404' }, body: JSON.stringify({ error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such customer' } }) },
  '/v1/slow': { status: 429, headers: { 'request-id': 'req_429', 'stripe-rate-limited-reason': 'endpoint-rate', 'retry-after': '1' }, body: JSON.stringify({ error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } }) },
  '/v1/down': { status: 500, headers: { 'request-id': 'req_500', 'stripe-should-retry': 'true' }, body: JSON.stringify({ error: { type: 'api_error', message: 'Something went wrong' } }) },
  '/v1/html': { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad gateway</html>' },
  '/v1/oauth': { status: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: 'Authorization code expired' }) },
  '/v1/ok-error': { status: 200, headers: { 'request-id': 'req_200' }, body: JSON.stringify({ error: { type: 'api_error', message: 'An error in a 200' } }) },
  '/v1/empty-429': { status: 429, headers: { 'request-id': 'req_e429', 'stripe-rate-limited-reason': 'global-rate', 'retry-after': '2' }, body: '' },
  '/v1/html-401': { status: 401, headers: { 'content-type': 'text/html' }, body: '<html>Unauthorized</html>' },
  '/v1/no-error': { status: 502, headers: { 'request-id': 'req_502' }, body: JSON.stringify({ message: 'upstream' }) },
  '/v1/no-error-404': { status: 404, body: JSON.stringify({ detail: 'not here' }) },
  '/v1/error-string': { status: 502, body: JSON.stringify({ error: 'Bad Gateway' }) },
  '/v1/hang': { status: 200, hang: true },
  '/v1/stall': { status: 200, stall: true, headers: { 'request-id': 'req_stall' } },
  '/v1/reset-once': { status: 200, resetFirst: true, headers: { 'request-id': 'req_again' }, body: JSON.stringify({ object: 'list', data: [], has_more: false }) },
  '/v1/reset': { status: 200, reset: true },
  '/v1/cut': { status: 200, cut: true, headers: { 'request-id': 'req_cut' } },
};

let server: http.Server;
let baseUrl: URL;
const seen: Array<{ path: string; headers: http.IncomingHttpHeaders }> = [];
const resetOnce = new Set<string>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    const answer = answers[req.url ?? ''];
    if (!answer) {
      res.writeHead(404).end();
      return;
    }
    if (answer.hang) return;
    if (answer.reset || (answer.resetFirst && !resetOnce.has(req.url ?? ''))) {
      resetOnce.add(req.url ?? '');
      req.socket.destroy();
      return;
    }
    if (answer.stall) {
      res.writeHead(answer.status, { 'content-length': '1000', ...answer.headers });
      res.write('{"object":"list","da');
      return;
    }
    if (answer.cut) {
      res.writeHead(answer.status, { 'content-length': '1000', ...answer.headers });
      res.write('{"object":"list","da');
      setTimeout(() => res.socket?.destroy(), 20);
      return;
    }
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function clients(timeoutMs = 5_000): { direct: StripeGet; reference: Stripe } {
  const direct = new StripeGet({ apiKey: API_KEY, baseUrl, timeoutMs, appName: 'stripe-source' });
  const reference = new Stripe(API_KEY, {
    host: baseUrl.hostname,
    port: Number(baseUrl.port),
    protocol: 'http',
    maxNetworkRetries: 0,
    timeout: timeoutMs,
    telemetry: false,
    appInfo: { name: 'stripe-source' },
    httpClient: new BufferedHttpClient(),
  });
  return { direct, reference };
}

/** What a caller can tell of an error. */
function describeError(error: unknown): Record<string, unknown> {
  const e = error as Stripe.errors.StripeError & { detail?: { code?: unknown } };
  return {
    class: e.constructor.name,
    type: e.type,
    rawType: e.rawType,
    statusCode: e.statusCode,
    code: e.code,
    requestId: e.requestId,
    message: e.message,
    headers: e.headers,
    detailCode: e.detail?.code,
  };
}

async function failureOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return describeError(error);
  }
  throw new Error('expected a failure');
}

describe('StripeGet: GET without stripe-node request sender', () => {
  it('sends the headers stripe-node sends with a GET, and Stripe-Account when asked', async () => {
    const { direct, reference } = clients();
    seen.length = 0;
    await reference.rawRequest('GET', '/v1/customers?limit=1', undefined, { stripeAccount: 'acct_1' });
    await direct.get({ path: '/v1/customers?limit=1', stripeAccount: 'acct_1' });
    await direct.get({ path: '/v1/customers?limit=1' });
    const [theirs, ours, plain] = seen.map((s) => s.headers);
    for (const name of ['authorization', 'stripe-version', 'user-agent', 'accept', 'content-type', 'stripe-account']) {
      expect({ name, value: ours![name] }).toEqual({ name, value: theirs![name] });
    }
    expect(JSON.parse(String(ours!['x-stripe-client-user-agent']))).toEqual(JSON.parse(String(theirs!['x-stripe-client-user-agent'])));
    // Nothing stripe-node would not send, and nothing it sends that is missed (connection headers aside).
    const names = (h: http.IncomingHttpHeaders) => Object.keys(h).filter((n) => !['host', 'connection'].includes(n)).sort();
    expect(names(ours!)).toEqual(names(theirs!));
    expect(plain!['stripe-account']).toBeUndefined();
  });

  it('hands back the body and its request id', async () => {
    const { direct } = clients();
    const result = await direct.get({ path: '/v1/customers?limit=1' });
    expect(result).toEqual({ body: { object: 'list', data: [], has_more: false, url: '/v1/customers' }, requestId: 'req_ok' });
  });

  it.each(['/v1/bad', '/v1/auth', '/v1/perm', '/v1/gone', '/v1/slow', '/v1/down', '/v1/ok-error', '/v1/html', '/v1/html-401', '/v1/empty-429', '/v1/missing', '/v1/cut'])(
    'fails on %s with the error stripe-node gives',
    async (path) => {
      const { direct, reference } = clients();
      const ours = await failureOf(direct.get({ path }));
      const theirs = await failureOf(reference.rawRequest('GET', path));
      expect(ours).toEqual(theirs);
    },
  );

  it('reads the OAuth shape of an error (a string) as stripe-node does, short of its OAuth classes', async () => {
    const { direct, reference } = clients();
    const ours = await failureOf(direct.get({ path: '/v1/oauth' }));
    const theirs = await failureOf(reference.rawRequest('GET', '/v1/oauth'));
    const what = (e: Record<string, unknown>) => ({ statusCode: e.statusCode, rawType: e.rawType, message: e.message });
    expect(what(ours)).toEqual(what(theirs));
    expect(ours.message).toBe('Authorization code expired');
  });

  it('fails on an error status without an error object, where stripe-node hands the body back as a result', async () => {
    const { direct, reference } = clients();
    await expect(reference.rawRequest('GET', '/v1/no-error')).resolves.toMatchObject({ message: 'upstream' });
    expect(await failureOf(direct.get({ path: '/v1/no-error' }))).toMatchObject({
      class: 'StripeAPIError', statusCode: 502, requestId: 'req_502', message: 'The answer (502) has no error object: "upstream".',
    });
    expect(await failureOf(direct.get({ path: '/v1/no-error-404' }))).toMatchObject({ class: 'StripeAPIError', statusCode: 404, message: 'The answer (404) has no error object.' });
  });

  it('keeps the text of an error given as a bare string', async () => {
    const { direct } = clients();
    expect(await failureOf(direct.get({ path: '/v1/error-string' }))).toMatchObject({ statusCode: 502, rawType: 'Bad Gateway', message: 'Bad Gateway' });
  });

  it('sends once more at once when the connection is dropped before any answer, as stripe-node does once', async () => {
    const { direct, reference } = clients();
    seen.length = 0;
    resetOnce.clear();
    await expect(direct.get({ path: '/v1/reset-once' })).resolves.toMatchObject({ requestId: 'req_again' });
    expect(seen.filter((s) => s.path === '/v1/reset-once')).toHaveLength(2);
    const ours = await failureOf(direct.get({ path: '/v1/reset' }));
    const theirs = await failureOf(reference.rawRequest('GET', '/v1/reset'));
    expect(ours).toEqual(theirs);
    expect(ours.message).toBe('An error occurred with our connection to Stripe. Request was retried 1 times.');
  });

  it('refuses a path that is not its host\'s', async () => {
    const { direct } = clients();
    await expect(direct.get({ path: 'v1/customers' })).rejects.toThrow(/must start with one "\/"/);
    await expect(direct.get({ path: '//elsewhere.example/v1/customers' })).rejects.toThrow(/must start with one "\/"/);
  });

  it.each(['/v1/hang', '/v1/stall'])('says a request timed out (%s) as stripe-node does', async (path) => {
    const { direct, reference } = clients(150);
    seen.length = 0;
    const ours = await failureOf(direct.get({ path }));
    // A timeout is not sent again (only a connection reset is).
    expect(seen.filter((s) => s.path === path)).toHaveLength(1);
    const theirs = await failureOf(reference.rawRequest('GET', path));
    expect(ours).toEqual(theirs);
    expect(ours.message).toBe('Request aborted due to timeout being reached (150ms)');
  });

  it('says a refused connection is a connection error, as stripe-node does', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const direct = new StripeGet({ apiKey: API_KEY, baseUrl: new URL(`http://127.0.0.1:${port}`), timeoutMs: 2_000, appName: 'stripe-source' });
    const reference = new Stripe(API_KEY, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, telemetry: false, httpClient: new BufferedHttpClient() });
    const ours = await failureOf(direct.get({ path: '/v1/customers' }));
    const theirs = await failureOf(reference.rawRequest('GET', '/v1/customers'));
    expect(ours).toEqual(theirs);
    expect(ours.class).toBe('StripeConnectionError');
  });
});
