import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { afterEach, describe, expect, it } from 'vitest';
import { BufferedHttpClient } from '../../src/http/buffered-http-client.js';
import { SPLIT_THRESHOLD_BYTES } from '../../src/http/json-bytes.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server on 127.0.0.1 whose every answer `respond` writes; a stripe client on it that uses BufferedHttpClient. */
async function stripeAgainst(respond: (res: ServerResponse) => void, timeoutMs = 5_000): Promise<Stripe> {
  server = createServer((_req, res) => respond(res));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Stripe('sk_test_buffered', {
    host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, timeout: timeoutMs, httpClient: new BufferedHttpClient(),
  });
}

/** Writes `bytes` a few at a time, so multi-byte characters fall across chunk boundaries. */
function writeInChunks(res: ServerResponse, bytes: Buffer, sizes: readonly number[]): void {
  let at = 0;
  let i = 0;
  const step = (): void => {
    if (at >= bytes.length) {
      res.end();
      return;
    }
    const size = sizes[i++ % sizes.length]!;
    res.write(bytes.subarray(at, at + size));
    at += size;
    setImmediate(step);
  };
  step();
}

function listBody(count: number): string {
  return JSON.stringify({
    object: 'list',
    data: Array.from({ length: count }, (_, i) => ({ id: `cus_${i}`, object: 'customer', name: `😀 é € 日本 ${i}`, created: 1_700_000_000 + i })),
    has_more: false,
    url: '/v1/customers',
  });
}

describe('BufferedHttpClient', () => {
  for (const [name, count] of [['small', 20], ['large (over the split threshold)', 3_000]] as const) {
    it(`reads a ${name} body sent in pieces that cut through characters, with stripe-node's request id`, async () => {
      const text = listBody(count);
      const bytes = Buffer.from(text);
      expect(bytes.length > SPLIT_THRESHOLD_BYTES).toBe(count > 100);
      const stripe = await stripeAgainst((res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_buffered' });
        writeInChunks(res, bytes, count > 100 ? [1, 2, 3, 5, 7, 4_093, 65_537] : [1, 2, 3, 5, 7, 11, 13]);
      });
      const body = (await stripe.rawRequest('GET', '/v1/customers')) as unknown as Record<string, unknown> & { lastResponse: { requestId: string; statusCode: number } };
      const { lastResponse, ...rest } = body;
      expect(rest).toStrictEqual(JSON.parse(text));
      expect(lastResponse.requestId).toBe('req_buffered');
      expect(lastResponse.statusCode).toBe(200);
    });
  }

  it("turns an error body into stripe-node's typed error, with its status and code", async () => {
    const stripe = await stripeAgainst((res) => {
      res.writeHead(404, { 'content-type': 'application/json', 'request-id': 'req_missing' });
      res.end(JSON.stringify({ error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such customer' } }));
    });
    const error = await stripe.rawRequest('GET', '/v1/customers/cus_x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error).toMatchObject({ statusCode: 404, code: 'resource_missing', requestId: 'req_missing' });
  });

  it('reports a body that is not JSON as a StripeAPIError, large or small', async () => {
    for (const text of ['<html>bad gateway</html>', `{"object":"list","data":[${'{"id":"x"},'.repeat(20_000)}`]) {
      const stripe = await stripeAgainst((res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(text);
      });
      const error = await stripe.rawRequest('GET', '/v1/customers').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Stripe.errors.StripeAPIError);
      await new Promise<void>((resolve) => server!.close(() => resolve()));
      server = undefined;
    }
  });

  it('reports a connection cut in the middle of the body as a connection error', async () => {
    const stripe = await stripeAgainst((res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"object":"list","data":[');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const error = await stripe.rawRequest('GET', '/v1/customers').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    expect((error as Error).message).not.toMatch(/timeout/);
  });

  it('reports a body that stalls past the timeout as a connection error', async () => {
    const stripe = await stripeAgainst((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"object":"list",');
    }, 200);
    const error = await stripe.rawRequest('GET', '/v1/customers').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeConnectionError);
    // Reported as the timeout it was, as stripe-node's own client does.
    expect((error as Error).message).toMatch(/timeout/);
  });
});
