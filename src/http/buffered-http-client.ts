// Default imports, as stripe-node's own client has them: a namespace import is a frozen copy, and request
// interceptors that patch `http.request` (msw, nock) would never see this client's requests.
import http from 'node:http';
import https from 'node:https';
import Stripe from 'stripe';
import { parseLargeJsonObject } from './json-bytes.js';

/** The request headers stripe-node hands its HTTP client. */
type RequestHeaders = Parameters<InstanceType<typeof Stripe.HttpClient>['makeRequest']>[4];

const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true });

/**
 * stripe-node's own Node client (keep-alive agents, ciphers, timeout and errors alike), except for how it reads a
 * body: it keeps the socket's Buffers and decodes them once at the end, where stripe-node appends each
 * chunk to a string as it arrives, and a body over 128 KiB is parsed in pieces (`parseLargeJsonObject`).
 *
 * Why, measured in benchmark (d):
 * - A sync has dozens of responses arriving at once. Their string chunks live in V8's young generation
 *   until each response ends, so young collections copy them and then promote them: 530 MB promoted to
 *   the old generation in (d), 284 MB with Buffers, which live outside the V8 heap.
 * - Decoding a body over 128 KiB into one string took 15% of the library's CPU in (d); why, and how the
 *   pieces avoid it, is in `json-bytes.ts`.
 *
 * `StripeGet` sends the library's requests through it, with stripe-node's headers and errors; it is also a
 * `Stripe.HttpClient` like any other, for a `stripe` client's `httpClient` option (the tests compare the two).
 */
export class BufferedHttpClient extends Stripe.HttpClient {
  override getClientName(): string {
    return 'node';
  }

  override makeRequest(
    host: string,
    port: string,
    path: string,
    method: string,
    headers: RequestHeaders,
    requestData: string,
    protocol: string,
    timeout: number,
  ): Promise<BufferedHttpClientResponse> {
    const insecure = protocol === 'http';
    return new Promise((resolve, reject) => {
      const request = (insecure ? http : https).request({
        host,
        port,
        path,
        method,
        agent: insecure ? httpAgent : httpsAgent,
        headers: headers as http.OutgoingHttpHeaders,
        // The same cipher list stripe-node's own client asks for.
        ciphers: 'DEFAULT:!aNULL:!eNULL:!LOW:!EXPORT:!SSLv2:!MD5',
      });
      let timedOut = false;
      request.setTimeout(timeout, () => {
        timedOut = true;
        request.destroy(Stripe.HttpClient.makeTimeoutError());
      });
      request.on('response', (response) => resolve(new BufferedHttpClientResponse(response, () => timedOut)));
      request.on('error', reject);
      request.end(requestData);
    });
  }
}

export class BufferedHttpClientResponse extends Stripe.HttpClientResponse {
  constructor(
    private readonly response: http.IncomingMessage,
    private readonly timedOut: () => boolean,
  ) {
    super(response.statusCode ?? 0, response.headers as ConstructorParameters<typeof Stripe.HttpClientResponse>[1]);
  }

  override getRawResponse(): http.IncomingMessage {
    return this.response;
  }

  override toStream(streamCompleteCallback: () => void): http.IncomingMessage {
    this.response.once('end', () => streamCompleteCallback());
    return this.response;
  }

  override toJSON(): Promise<unknown> {
    const response = this.response;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let length = 0;
      // As stripe-node does: a body that stops after the headers is a failure to read it, a timeout when the
      // request timed out; without an 'error' listener a stalled body would never settle.
      const failed = (error: unknown): void => {
        reject(Stripe.HttpClient.makeResponseBodyError(this.timedOut() ? Stripe.HttpClient.makeTimeoutError() : error));
      };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
      });
      response.once('error', failed);
      response.once('close', () => {
        if (!response.complete) failed(null);
      });
      response.once('end', () => {
        const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length);
        chunks.length = 0;
        const split = parseLargeJsonObject(bytes);
        if (split) {
          resolve(split.value);
          return;
        }
        try {
          resolve(this._parseResponseBody(bytes.toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
    });
  }
}
