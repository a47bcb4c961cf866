/**
 * Responses with Stripe's bodies. Error bodies copy Stripe's wording, because clients (stripe-node, and
 * stripe-source's permission parsing) read `type`, `code`, `param` and the message.
 */

/** A response before the handler adds `Request-Id` and `Content-Type`. */
export interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface StripeErrorBody {
  type: 'invalid_request_error' | 'api_error';
  message: string;
  code?: string;
  param?: string;
}

export function ok(body: string): Reply {
  return { status: 200, body };
}

export function stripeError(status: number, error: StripeErrorBody, headers?: Record<string, string>): Reply {
  const reply: Reply = { status, body: JSON.stringify({ error }) };
  if (headers) reply.headers = headers;
  return reply;
}

/**
 * A key as Stripe shows it in errors: its prefix and last four characters (`sk_test_****abcd`). Never the
 * whole key: error messages end up in logs.
 */
export function maskKey(key: string): string {
  const prefix = /^[a-z]{2}_(?:test|live)_/.exec(key)?.[0] ?? '';
  const rest = key.slice(prefix.length);
  return `${prefix}****${rest.length > 8 ? rest.slice(-4) : ''}`;
}

export function missingKey(): Reply {
  return stripeError(401, {
    type: 'invalid_request_error',
    message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
  });
}

export function invalidKey(key: string): Reply {
  return stripeError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${maskKey(key)}` });
}

/** Stripe sends no `code` here (stripe-node issue 2246 shows `code: undefined`): the message names the permission. */
export function missingPermission(key: string, accountId: string, permission: string): Reply {
  return stripeError(403, {
    type: 'invalid_request_error',
    message: `The provided key '${maskKey(key)}' does not have the required permissions for this endpoint on account ` +
      `'${accountId}'. Having the '${permission}' permission would allow this request to continue.`,
  });
}

export function accountInvalid(key: string, account: string): Reply {
  return stripeError(403, {
    type: 'invalid_request_error',
    code: 'account_invalid',
    message: `The provided key '${maskKey(key)}' does not have access to account '${account}' (or that account does not exist). ` +
      'Application access may have been revoked.',
  });
}

export function unrecognizedUrl(method: string, path: string): Reply {
  return stripeError(404, {
    type: 'invalid_request_error',
    message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
  });
}

/** Only reads are served: the fake's data changes through `create()`, `update()` and `del()`. */
export function methodNotAllowed(method: string, path: string): Reply {
  return stripeError(405, {
    type: 'invalid_request_error',
    message: `The fake Stripe serves GET requests only, not ${method} ${path}. Change its data with create(), update() and del().`,
  }, { Allow: 'GET' });
}

export function resourceMissing(objectType: string, id: string, param: string): Reply {
  return stripeError(404, { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${objectType}: '${id}'` });
}

export function invalidParam(param: string, message: string, code?: string): Reply {
  return stripeError(400, { type: 'invalid_request_error', param, message, ...(code === undefined ? {} : { code }) });
}

export function missingParam(param: string): Reply {
  return stripeError(400, { type: 'invalid_request_error', code: 'parameter_missing', param, message: `Missing required param: ${param}.` });
}

export type RateLimitReason = 'global-rate' | 'endpoint-rate' | 'global-concurrency';

export function rateLimited(reason: RateLimitReason): Reply {
  return stripeError(429, { type: 'invalid_request_error', code: 'rate_limit', message: 'Request rate limit exceeded' },
    { 'Stripe-Rate-Limited-Reason': reason });
}

export function lockTimeout(): Reply {
  return stripeError(429, {
    type: 'invalid_request_error',
    code: 'lock_timeout',
    message: 'This object cannot be accessed right now because another API request or Stripe process is currently ' +
      'accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are ' +
      'making multiple concurrent requests to a single object, make your requests serially or at a lower rate.',
  });
}

export function serverError(): Reply {
  return stripeError(500, { type: 'api_error', message: 'An unknown error occurred. Please try again later.' });
}

/** 502 and 503: Stripe's `api_error` body, as its own front ends send when a backend is unavailable. */
export function gatewayError(status: 502 | 503): Reply {
  return stripeError(status, {
    type: 'api_error',
    message: status === 502
      ? 'An error occurred while processing your request: the upstream service did not answer. Please try again later.'
      : 'The service is temporarily unavailable. Please try again later.',
  });
}

/** A 500 Stripe asks not to retry (`Stripe-Should-Retry: false`): the request will fail again the same way. */
export function serverErrorNoRetry(): Reply {
  return stripeError(500, { type: 'api_error', message: 'An unknown error occurred while processing this request.' },
    { 'Stripe-Should-Retry': 'false' });
}

/** What a proxy or load balancer in front of Stripe sends when it fails: an HTML page, not JSON. */
export function htmlErrorPage(): Reply {
  return {
    status: 502,
    body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
      '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
    headers: { 'Content-Type': 'text/html; charset=utf-8' },
  };
}

/**
 * A list body cut off right after one of its records, half way through `data`: complete records, then
 * nothing (no `]`, no `has_more`). What a streaming parser might mistake for a short page. Bodies that are
 * not lists, or lists of fewer than two records, are cut in half instead.
 */
export function truncateAtRecord(body: string): string {
  const half = body.slice(0, Math.max(1, Math.floor(body.length / 2)));
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return half;
  }
  const data = (parsed as { object?: unknown; data?: unknown }).data;
  if ((parsed as { object?: unknown }).object !== 'list' || !Array.isArray(data) || data.length < 2) return half;
  return `{"object":"list","data":[${data.slice(0, Math.floor(data.length / 2)).map((item) => JSON.stringify(item)).join(',')}`;
}
