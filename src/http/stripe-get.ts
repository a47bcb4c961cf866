import Stripe from 'stripe';
import { BufferedHttpClient, type BufferedHttpClientResponse } from './buffered-http-client.js';
import { headerValue } from './classify.js';

export interface StripeGetResult {
  readonly body: unknown;
  readonly requestId: string | undefined;
}

/**
 * One GET to Stripe's API: stripe-node's HTTP client (`BufferedHttpClient`, a `Stripe.HttpClient`), the
 * request headers stripe-node sends with a GET, and stripe-node's own error classes for every failure, as
 * its request sender makes them (`StripeError.generate` for an error body, `StripeConnectionError` for the
 * network and timeouts, `StripeAPIError` for a body that is not JSON); only not through that sender. Two
 * differences, both on purpose: a JSON error answer without an error object fails with its status and
 * headers (stripe-node returns it as a result), and a connection reset before the answer is sent once more
 * at once (stripe-node waits half a second first). An OAuth-shaped error (`error` a string) gets the
 * class of its status, not stripe-node's OAuth classes: the library reads no OAuth endpoint.
 *
 * Why: the library only lists, with the path and query it builds itself, and retries, throttles and
 * reports on its own; the request sender's work for each request (options, an authenticator's promise,
 * the client user agent's JSON, request and response events, `lastResponse`) cost about 7% of the CPU of
 * bench (d): 20.9 -> 19.7 and 20.0 -> 18.4 µs per record in two sets of six rounds in turn.
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
    const { path } = options;
    // As stripe-node's `validatePath`: a path of this host's, never one that names another.
    if (!path.startsWith('/') || path.startsWith('//')) throw new TypeError(`A request path must start with one "/", not ${JSON.stringify(path.slice(0, 40))}.`);
    const headers = options.stripeAccount ? { ...this.headers, 'Stripe-Account': options.stripeAccount } : this.headers;
    const response = await this.send(path, headers);
    const responseHeaders = response.getHeaders();
    const requestId = headerValue(responseHeaders['request-id']);
    const statusCode = response.getStatusCode();
    let body: unknown;
    try {
      body = await response.toJSON();
    } catch (error) {
      // A body that stopped coming is the connection's failure; one that came whole and is not JSON, the
      // API's, without its status as stripe-node has it: a truncated answer of any status (a cut 404 as much
      // as a proxy's page) is worth another try, and the library retries it as `malformed_response`.
      if (!(error instanceof SyntaxError)) throw connectionError(error, this.options.timeoutMs, requestId);
      throw new Stripe.errors.StripeAPIError({ message: 'Invalid JSON received from the Stripe API', exception: error, requestId } as StripeRawError);
    }
    const failure = typeof body === 'object' && body !== null ? (body as { error?: unknown; error_description?: unknown }).error : undefined;
    if (failure) {
      // The OAuth shape (`error` a string) as stripe-node reads it; the library reads no OAuth endpoint.
      const raw = typeof failure === 'object' ? (failure as Record<string, unknown>) : { type: failure, message: (body as { error_description?: unknown }).error_description ?? String(failure) };
      throw Stripe.errors.StripeError.generate({ ...raw, headers: responseHeaders, statusCode, requestId } as StripeRawError);
    }
    // stripe-node hands such an answer back as a result; its status and headers say what it is.
    if (statusCode >= 400) {
      const said = typeof body === 'object' && body !== null ? (body as { message?: unknown }).message : undefined;
      const message = `The answer (${statusCode}) has no error object${typeof said === 'string' ? `: "${said.slice(0, 200)}"` : ''}.`;
      throw new Stripe.errors.StripeAPIError({ message, requestId, statusCode, headers: responseHeaders } as StripeRawError);
    }
    return { body, requestId };
  }

  /**
   * Sends the request, and once more at once on ECONNRESET or EPIPE before the answer's headers, as
   * stripe-node does even with its retries off: mostly a kept-alive socket the server closed as it was
   * reused (stripe-node issue 1040), though the request may have reached the server. A GET is safe to send
   * again; that second send is not throttled or counted, as stripe-node's was not.
   */
  private async send(path: string, headers: Readonly<Record<string, string>>): Promise<BufferedHttpClientResponse> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.makeRequest(this.host, this.port, path, 'GET', headers, '', this.protocol, this.options.timeoutMs);
      } catch (error) {
        const code = errorCode(error);
        if (attempt === 1 && typeof code === 'string' && Stripe.HttpClient.CONNECTION_CLOSED_ERROR_CODES.includes(code)) continue;
        throw connectionError(error, this.options.timeoutMs, undefined, attempt - 1);
      }
    }
  }
}

type StripeRawError = Parameters<typeof Stripe.errors.StripeError.generate>[0];

/**
 * The headers stripe-node sends with a GET (`RequestSender._makeHeaders`), made once: the key, the API
 * version stripe-node pins, and its user agents (`Stripe.USER_AGENT`, and `Stripe.AI_AGENT` when it
 * detected one) with the library's app info. Telemetry is off, as it was with the `stripe` client: no
 * telemetry header, no platform in the client user agent.
 */
function requestHeaders(options: { apiKey: string; appName: string }): Record<string, string> {
  const clientUserAgent: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(Stripe.USER_AGENT)) {
    if (field !== 'platform') clientUserAgent[field] = encodeURIComponent(String(value ?? 'null'));
  }
  clientUserAgent.httplib = 'node';
  clientUserAgent.application = { name: options.appName };
  const agent = Stripe.AI_AGENT ? ` AIAgent/${Stripe.AI_AGENT}` : '';
  return {
    Accept: 'application/json',
    'Content-Type': 'application/x-www-form-urlencoded',
    Authorization: `Bearer ${options.apiKey}`,
    'User-Agent': `Stripe/v1 NodeBindings/${Stripe.PACKAGE_VERSION} ${options.appName}${agent}`,
    'X-Stripe-Client-User-Agent': JSON.stringify(clientUserAgent),
    'Stripe-Version': Stripe.API_VERSION,
  };
}

/** The `code` of a Node or stripe-node error (ECONNRESET, ETIMEDOUT, ...). */
function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** As stripe-node reports a request that never got its answer: a timeout says so, anything else is "a connection error". */
function connectionError(error: unknown, timeoutMs: number, requestId: string | undefined, retried = 0): Error {
  const timedOut = errorCode(error) === Stripe.HttpClient.TIMEOUT_ERROR_CODE;
  return new Stripe.errors.StripeConnectionError({
    message: timedOut
      ? `Request aborted due to timeout being reached (${timeoutMs}ms)`
      : `An error occurred with our connection to Stripe.${retried > 0 ? ` Request was retried ${retried} times.` : ''}`,
    detail: error,
    requestId,
  } as StripeRawError);
}
