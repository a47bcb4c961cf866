/**
 * The transport-free core: one request in, one response out, in Stripe's order of checks. Authentication,
 * the account header, permissions and the method come first; then the rate limit (only requests that get
 * that far count); then an injected fault, if one is drawn; then the data. Every response waits out the
 * configured latency, except a `timeout`, which never answers.
 */
import { getStream } from '../catalog/streams.js';
import type { FaultInjector } from './faults.js';
import type { Keys } from './keys.js';
import { requestKey } from './keys.js';
import type { Latency } from './latency.js';
import type { Rng } from './random.js';
import type { RateLimiter } from './rate-limit.js';
import { serve } from './read.js';
import {
  accountInvalid, gatewayError, htmlErrorPage, invalidKey, lockTimeout, methodNotAllowed, missingKey, missingPermission, rateLimited,
  serverError, serverErrorNoRetry, truncateAtRecord, unrecognizedUrl, type Reply,
} from './responses.js';
import { route, type Route } from './routes.js';
import type { Stats } from './stats.js';
import type { Tenant, Tenants } from './tenants.js';
import type { FakeRequest, FakeResponse, FaultKind, TransportFault } from './types.js';

export interface HandlerParts {
  /** The platform and its connected accounts: whose data a request reads. */
  readonly tenants: Tenants;
  readonly keys: Keys;
  readonly stats: Stats;
  readonly limiter: RateLimiter | undefined;
  readonly faults: FaultInjector;
  readonly latency: Latency;
  /** Draws `Request-Id`s. */
  readonly requestIds: Rng;
}

function lowerCaseHeaders(headers: FakeRequest['headers']): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** Everything up to the data: a reply that ends the request here, or the account whose data it reads. */
function gate(parts: HandlerParts, method: string, target: Route, headers: Record<string, string | undefined>):
  { reply: Reply; tenant?: undefined } | { reply?: undefined; tenant: Tenant } {
  const key = requestKey(headers.authorization);
  if (key === undefined) return { reply: missingKey() };
  const grant = parts.keys.grant(key);
  if (!grant) return { reply: invalidKey(key) };
  const account = headers['stripe-account'];
  const tenant = parts.tenants.resolve(account);
  if (!tenant) return { reply: accountInvalid(key, account as string) };
  if (grant.kind === 'restricted' && 'stream' in target) {
    const { permission } = getStream(target.stream);
    if (grant.denied.has(permission)) return { reply: missingPermission(key, tenant.id, permission) };
  }
  if (method !== 'GET') return { reply: methodNotAllowed(method, target.endpoint) };
  // Stripe counts limits per account, a connected account's apart from its platform's. They run on real
  // time: the fake's clock (`now`) may stand still or jump for the data's sake.
  const limited = parts.limiter?.take(tenant.id, target.endpoint, performance.now());
  if (limited) return { reply: rateLimited(limited) };
  return { tenant };
}

/** The key `stats.byAccount` counts a request under. */
function statsAccount(parts: HandlerParts, header: string | undefined): string {
  return header === undefined || header === '' || header === parts.tenants.platform.id ? 'platform' : header;
}

function faultReply(kind: FaultKind): Reply | undefined {
  switch (kind) {
    case 'server_error':
      return serverError();
    case 'bad_gateway':
      return gatewayError(502);
    case 'service_unavailable':
      return gatewayError(503);
    case 'no_retry_server_error':
      return serverErrorNoRetry();
    case 'html_error':
      return htmlErrorPage();
    case 'rate_limit':
      return rateLimited('global-concurrency'); // Stripe's unannounced 429s come from its concurrency limiter
    case 'lock_timeout':
      return lockTimeout();
    default:
      return undefined; // the others spoil a real answer
  }
}

export async function handle(parts: HandlerParts, request: FakeRequest): Promise<FakeResponse> {
  const url = new URL(request.url, 'https://api.stripe.com');
  const method = request.method.toUpperCase();
  const target = route(url.pathname);
  const headers = lowerCaseHeaders(request.headers);
  parts.stats.request(method, target.endpoint, statsAccount(parts, headers['stripe-account']));

  const gated = gate(parts, method, target, headers);
  let fault: FaultKind | undefined;
  let reply: Reply;
  if (gated.reply) {
    reply = gated.reply;
  } else {
    fault = parts.faults.draw(url.pathname);
    reply = (fault === undefined ? undefined : faultReply(fault)) ??
      (target.kind === 'unknown' ? unrecognizedUrl(method, url.pathname) : serve(gated.tenant, target, url.pathname, url.searchParams));
  }

  const response: FakeResponse = {
    status: reply.status,
    headers: { 'Content-Type': 'application/json', 'Request-Id': `req_${parts.requestIds.base62(14)}`, ...reply.headers },
    body: reply.body,
  };
  if (fault === 'malformed_json') response.body = reply.body.slice(0, Math.max(1, Math.floor(reply.body.length / 2)));
  if (fault === 'truncated_json') response.body = truncateAtRecord(reply.body);
  if (fault === 'connection_reset' || fault === 'timeout' || fault === 'hung') response.fault = fault satisfies TransportFault;
  parts.stats.response(response.fault ?? String(response.status));
  if (response.fault !== 'timeout') await parts.latency.wait();
  return response;
}
