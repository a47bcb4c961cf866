/**
 * What a failed request means for the sync: try again (and when), or stop. Kept apart from the retry loop
 * so the decision table can be tested on its own.
 */

export interface FailureFacts {
  readonly retry: boolean;
  /** Short reason for events and messages: `rate_limit`, `lock_timeout`, `server_error`, `network`, ... */
  readonly reason: string;
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;
  /** Stripe's error code, when it sent one. */
  readonly code: string | undefined;
  /** Stripe-Rate-Limited-Reason, on 429s. */
  readonly rateLimitedReason: string | undefined;
  /** From a Retry-After header, when the server sent one. */
  readonly retryAfterMs: number | undefined;
}

interface StripeLikeError {
  type?: unknown;
  statusCode?: unknown;
  requestId?: unknown;
  code?: unknown;
  headers?: unknown;
}

/** A response header's value as Node gives it (a string, or an array of them): its first string. */
export function headerValue(value: unknown): string | undefined {
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  return headerValue((headers as Record<string, unknown>)[name]);
}

export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && value.trim() !== '') return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

export function classifyFailure(error: unknown, nowMs: number): FailureFacts {
  const e = (typeof error === 'object' && error !== null ? error : {}) as StripeLikeError;
  const statusCode = typeof e.statusCode === 'number' ? e.statusCode : undefined;
  const code = typeof e.code === 'string' ? e.code : undefined;
  const requestId = typeof e.requestId === 'string' ? e.requestId : header(e.headers, 'request-id');
  const shouldRetry = header(e.headers, 'stripe-should-retry');
  const facts = {
    statusCode,
    code,
    requestId,
    rateLimitedReason: header(e.headers, 'stripe-rate-limited-reason'),
    retryAfterMs: parseRetryAfter(header(e.headers, 'retry-after'), nowMs),
  };
  const decide = (retry: boolean, reason: string): FailureFacts => ({
    ...facts,
    // Stripe's explicit word overrides our table, except that auth and permission failures never heal.
    retry: statusCode === 401 || statusCode === 403 ? false : shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : retry,
    reason,
  });

  if (statusCode === 429) return decide(true, code === 'lock_timeout' ? 'lock_timeout' : 'rate_limit');
  if (statusCode !== undefined && statusCode >= 500) return decide(true, 'server_error');
  if (statusCode === 409) return decide(true, 'conflict');
  if (statusCode !== undefined) return decide(false, `http_${statusCode}`);
  if (e.type === 'StripeConnectionError') return decide(true, 'network');
  // stripe-node reports an unparseable body (truncated JSON, an HTML error page) as a StripeAPIError
  // without a status code: a proxy or a dropped connection, worth another try.
  if (e.type === 'StripeAPIError') return decide(true, 'malformed_response');
  return decide(false, 'unknown');
}
