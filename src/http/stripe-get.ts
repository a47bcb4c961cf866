import Stripe from 'stripe';
import { BufferedHttpClient, type BufferedHttpClientResponse } from './buffered-http-client.js';

export interface StripeGetResult {
  readonly body: unknown;
  readonly requestId: string | undefined;
}

/**
 * One GET to Stripe's API: stripe-node's HTTP client (`BufferedHttpClient`, a `Stripe.HttpClient`), the
 * request headers stripe-node sends with a GET, and stripe-node's own error classes for every failure, as
 * its request sender makes them (`StripeError.generate` for an error body, `StripeConnectionError` for the
 * network, `StripeAPIError` for a body that is not JSON); only not through that sender.
 *
 * Why: the library only lists, with the path and query it builds itself, and retries, throttles and
 * reports on its own; stripe-node's request sender (options, an authenticator's promise, the client
 * user agent's JSON, request and response events, `lastResponse`) cost about 12% of the CPU of bench (d)
 * (six rounds in turn: 24.2 µs per record through `stripe.rawRequest`, 21.4 without it).
 */
export class StripeGet {
  private readonly client = new BufferedHttpClient();
  private readonly host: string;
  private readonly port: string;
  private readonly protocol: 'http' | 'https';
  private readonly headers: Readonly<Record<string, string>>;

  constructor(private readonly options: { readonly apiKey: string; readonly baseUrl: URL; readonly timeoutMs: number; readonly appName: string }) {
    const url = options.baseUrl;
    this.protocol = url.protocol === 'http:' ? 'http' : 'https';
    this.host = url.hostname;
    this.port = url.port || (this.protocol === 'http' ? '80' : '443');
    this.headers = requestHeaders({ apiKey: options.apiKey, appName: options.appName });
  }

  async get(options: { readonly path: string; readonly stripeAccount?: string }): Promise<StripeGetResult> {
    const headers = options.stripeAccount ? { ...this.headers, 'Stripe-Account': options.stripeAccount } : this.headers;
    let response: BufferedHttpClientResponse;
    try {
      response = await this.client.makeRequest(this.host, this.port, options.path, 'GET', headers, '', this.protocol, this.options.timeoutMs);
    } catch (error) {
      throw connectionError(error, this.options.timeoutMs, undefined);
    }
    const responseHeaders = response.getHeaders();
    const requestId = headerValue(responseHeaders['request-id']);
    let body: unknown;
    try {
      body = await response.toJSON();
    } catch (error) {
      // A body that stopped coming is the connection's failure; one that came whole and is not JSON, the API's.
      if (!(error instanceof SyntaxError)) throw connectionError(error, this.options.timeoutMs, requestId);
      throw new Stripe.errors.StripeAPIError({ message: 'Invalid JSON received from the Stripe API', exception: error, requestId } as ConstructorParameters<typeof Stripe.errors.StripeAPIError>[0]);
    }
    const failure = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
    if (failure !== undefined && failure !== null) {
      const raw = typeof failure === 'object' ? (failure as Record<string, unknown>) : { message: String(failure) };
      throw Stripe.errors.StripeError.generate({ ...raw, headers: responseHeaders, statusCode: response.getStatusCode(), requestId } as Parameters<typeof Stripe.errors.StripeError.generate>[0]);
    }
    return { body, requestId };
  }
}

/**
 * The headers stripe-node sends with a GET (`RequestSender._makeHeaders`), made once: the key, the API
 * version stripe-node pins, and its user agents with the library's app info. Telemetry is off, as it was
 * with the `stripe` client, so no telemetry header and no platform in the client user agent.
 */
function requestHeaders(options: { apiKey: string; appName: string }): Record<string, string> {
  const clientUserAgent = {
    bindings_version: Stripe.PACKAGE_VERSION,
    lang: 'node',
    typescript: 'false',
    lang_version: encodeURIComponent(process.version),
    httplib: 'node',
    application: { name: options.appName },
  };
  return {
    Accept: 'application/json',
    'Content-Type': 'application/x-www-form-urlencoded',
    Authorization: `Bearer ${options.apiKey}`,
    'User-Agent': `Stripe/v1 NodeBindings/${Stripe.PACKAGE_VERSION} ${options.appName}`,
    'X-Stripe-Client-User-Agent': JSON.stringify(clientUserAgent),
    'Stripe-Version': Stripe.API_VERSION,
  };
}

function headerValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

/** As stripe-node reports a request that never got its answer: a timeout says so, anything else is "a connection error". */
function connectionError(error: unknown, timeoutMs: number, requestId: string | undefined): Error {
  const timedOut = typeof error === 'object' && error !== null && (error as { code?: unknown }).code === Stripe.HttpClient.TIMEOUT_ERROR_CODE;
  return new Stripe.errors.StripeConnectionError({
    message: timedOut ? `Request aborted due to timeout being reached (${timeoutMs}ms)` : 'An error occurred with our connection to Stripe.',
    detail: error,
    requestId,
  } as ConstructorParameters<typeof Stripe.errors.StripeConnectionError>[0]);
}
