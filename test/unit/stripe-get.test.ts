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
  '/v1/hang': { status: 200, hang: true },
  '/v1/cut': { status: 200, cut: true, headers: { 'request-id': 'req_cut' } },
};

let server: http.Server;
let baseUrl: URL;
const seen: Array<{ path: string; headers: http.IncomingHttpHeaders }> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', headers: req.headers });
    const answer = answers[req.url ?? ''];
    if (!answer) {
      res.writeHead(404).end();
      return;
    }
    if (answer.hang) return;
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

  it.each(['/v1/bad', '/v1/auth', '/v1/perm', '/v1/gone', '/v1/slow', '/v1/down', '/v1/html', '/v1/oauth', '/v1/cut', '/v1/missing'])(
    'fails on %s with the error stripe-node gives',
    async (path) => {
      const { direct, reference } = clients();
      const ours = await failureOf(direct.get({ path }));
      const theirs = await failureOf(reference.rawRequest('GET', path));
      // stripe-node turns the old OAuth shape (`error` a string) into an OAuth error; the library reads no
      // OAuth endpoint, so a plain StripeError with the same message and status is enough there.
      if (path === '/v1/oauth') {
        expect({ statusCode: ours.statusCode, message: ours.message }).toEqual({ statusCode: theirs.statusCode, message: 'invalid_grant' });
        return;
      }
      expect(ours).toEqual(theirs);
    },
  );

  it('says a request timed out as stripe-node does', async () => {
    const { direct, reference } = clients(150);
    const ours = await failureOf(direct.get({ path: '/v1/hang' }));
    const theirs = await failureOf(reference.rawRequest('GET', '/v1/hang'));
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
