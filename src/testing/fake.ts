/** `createFakeStripe()`: wires the store, the generator, the handler and the transports together. */
import { lowerBound, type Row } from './collection.js';
import { generate } from './generate.js';
import { handle, type HandlerParts } from './handler.js';
import { FaultInjector } from './faults.js';
import { Keys } from './keys.js';
import { Latency } from './latency.js';
import { mswHandlers } from './msw.js';
import { Mutations } from './mutations.js';
import { normalizeOptions } from './options.js';
import { Rng, deriveSeed } from './random.js';
import { RateLimiter } from './rate-limit.js';
import { retentionCutoff } from './events.js';
import { listen } from './server.js';
import { Stats } from './stats.js';
import { Store } from './store.js';
import { makeTemplate, ownDefaults, serialize } from './template.js';
import type { FakeRequest, FakeStripe, FakeStripeOptions } from './types.js';

const YEAR = 365 * 24 * 60 * 60;

/** The account object of `GET /v1/account`: fixed per seed, a year older than its oldest object. */
function accountJson(store: Store, accountId: string, created: number): string {
  const template = makeTemplate('account', { email: 'owner@example.com', charges_enabled: true, payouts_enabled: true });
  return serialize(template, ownDefaults(template, accountId, created), store);
}

export function createFakeStripe(options: FakeStripeOptions = {}): FakeStripe {
  const settings = normalizeOptions(options);
  const store = new Store({ apiVersion: settings.eventApiVersion, now: settings.now });
  generate(store, {
    seed: settings.seed, records: settings.records, startDate: settings.startDate, createdDistribution: settings.createdDistribution,
  });

  const accountId = `acct_${new Rng(deriveSeed(settings.seed, 'account')).base62(16)}`;
  const keys = new Keys(settings.seed);
  const stats = new Stats();
  const parts: HandlerParts = {
    store,
    keys,
    accountId,
    accountJson: accountJson(store, accountId, settings.startDate - YEAR),
    stats,
    limiter: settings.rateLimit ? new RateLimiter(settings.rateLimit) : undefined,
    faults: new FaultInjector(settings.faults, settings.seed),
    latency: new Latency(settings.latency.median, settings.latency.p99, settings.seed),
    requestIds: new Rng(deriveSeed(settings.seed, 'request-ids')),
  };
  const mutations = new Mutations(store, new Rng(deriveSeed(settings.seed, 'mutations')));
  const handleRequest = (request: FakeRequest) => handle(parts, request);

  return {
    apiKey: keys.apiKey,
    accountId,
    handlers: mswHandlers(handleRequest),
    listen: (listenOptions) => listen(handleRequest, listenOptions),
    handle: handleRequest,
    objects(stream) {
      const rows = store.collection(stream).rows;
      const from = stream === 'events' ? lowerBound(rows, retentionCutoff(store), -Infinity) : 0;
      const out = [];
      for (let i = rows.length - 1; i >= from; i--) out.push(store.object(stream, rows[i] as Row));
      return out;
    },
    restrictedKey: ({ deny }) => keys.restricted(deny),
    stats,
    create: (stream, fields) => mutations.create(stream, fields),
    update: (stream, id, fields) => mutations.update(stream, id, fields),
    del: (stream, id) => mutations.del(stream, id),
  };
}
