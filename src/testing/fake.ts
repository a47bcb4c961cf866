/** `createFakeStripe()`: wires the accounts' stores, the handler and the transports together. */
import { lowerBound, type Row } from './collection.js';
import { handle, type HandlerParts } from './handler.js';
import { FaultInjector } from './faults.js';
import { Keys, platformAccountId } from './keys.js';
import { Latency } from './latency.js';
import { mswHandlers } from './msw.js';
import { normalizeOptions } from './options.js';
import { Rng, deriveSeed } from './random.js';
import { RateLimiter } from './rate-limit.js';
import { retentionCutoff } from './events.js';
import { listen } from './server.js';
import { Stats } from './stats.js';
import { ACCOUNTS_STREAM, Tenants, type Tenant } from './tenants.js';
import type { FakeRequest, FakeStripe, FakeStripeOptions, MutationOptions, StreamName, StripeObject } from './types.js';

/** Every current object of a stream of one account, newest first; events only within retention, as served. */
function objectsOf(tenant: Tenant, stream: StreamName): StripeObject[] {
  const { store } = tenant;
  const rows = store.collection(stream).rows;
  const from = stream === 'events' ? lowerBound(rows, retentionCutoff(store), -Infinity) : 0;
  const out = [];
  for (let i = rows.length - 1; i >= from; i--) out.push(store.object(stream, rows[i] as Row));
  return out;
}

export function createFakeStripe(options: FakeStripeOptions = {}): FakeStripe {
  const settings = normalizeOptions(options);
  const tenants = new Tenants(settings, platformAccountId(settings.seed));
  const keys = new Keys(settings.seed);
  const stats = new Stats();
  const parts: HandlerParts = {
    tenants,
    keys,
    stats,
    limiter: settings.rateLimit ? new RateLimiter(settings.rateLimit) : undefined,
    faults: new FaultInjector(settings.faults, settings.seed),
    latency: new Latency(settings.latency.median, settings.latency.p99, settings.seed),
    requestIds: new Rng(deriveSeed(settings.seed, 'request-ids')),
  };
  const handleRequest = (request: FakeRequest) => handle(parts, request);
  /** The platform's `accounts` objects are its connected accounts: changing one connects or disconnects. */
  const atPlatform = (stream: StreamName, tenant: Tenant, method: string): boolean => {
    if (stream !== ACCOUNTS_STREAM) return false;
    if (tenant !== tenants.platform) {
      throw new Error(`${method}('accounts') on ${tenant.id}: connected accounts belong to the platform; leave out \`account\``);
    }
    return true;
  };

  return {
    apiKey: keys.apiKey,
    accountId: tenants.platform.id,
    get accounts() {
      return tenants.ids();
    },
    handlers: mswHandlers(handleRequest),
    listen: (listenOptions) => listen(handleRequest, listenOptions),
    handle: handleRequest,
    objects: (stream, accountId) => objectsOf(tenants.get(accountId), stream),
    restrictedKey: ({ deny }) => keys.restricted(deny),
    stats,
    create(stream, fields = {}, mutation: MutationOptions = {}) {
      const tenant = tenants.get(mutation.account);
      return atPlatform(stream, tenant, 'create') ? tenants.createAccount(fields) : tenant.mutations.create(stream, fields);
    },
    update: (stream, id, fields, mutation: MutationOptions = {}) => tenants.get(mutation.account).mutations.update(stream, id, fields),
    del(stream, id, mutation: MutationOptions = {}) {
      const tenant = tenants.get(mutation.account);
      if (atPlatform(stream, tenant, 'del')) tenants.deleteAccount(id);
      else tenant.mutations.del(stream, id);
    },
  };
}
