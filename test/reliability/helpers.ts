import { createServer } from 'node:http';
import { afterEach, expect } from 'vitest';
import type { Checkpoint, Message, StreamName } from '../../src/index.js';
import type { FakeStripe, StripeObject } from '../../src/testing/index.js';

export { applyMessages, canonical, collect, expectExact, NOW_MS, startFake, truth } from '../source/helpers.js';

/** The field of a child naming its parent, per child stream. */
export const PARENT_FIELD: Partial<Record<StreamName, { parent: StreamName; field: string }>> = {
  invoice_line_items: { parent: 'invoices', field: 'invoice' },
  subscription_items: { parent: 'subscriptions', field: 'subscription' },
  setup_attempts: { parent: 'setup_intents', field: 'setup_intent' },
};

/** Asserts the fake saw nothing but GET requests (and saw some). */
export function expectOnlyGets(fake: FakeStripe): void {
  expect(fake.stats.byMethod, 'only GET requests may reach Stripe').toEqual(fake.stats.total === 0 ? {} : { GET: fake.stats.total });
}

/** Messages cut at checkpoints: each group is what one checkpoint covers beyond the one before it. */
export function pages(messages: readonly Message[]): Array<{ records: Message[]; before: Checkpoint | undefined; after: Checkpoint | undefined }> {
  const out: Array<{ records: Message[]; before: Checkpoint | undefined; after: Checkpoint | undefined }> = [];
  let before: Checkpoint | undefined;
  let records: Message[] = [];
  for (const m of messages) {
    if (m.type === 'checkpoint') {
      out.push({ records, before, after: m.checkpoint });
      before = m.checkpoint;
      records = [];
    } else {
      records.push(m);
    }
  }
  if (records.length > 0) out.push({ records, before, after: undefined });
  return out;
}

/** Windows of a stream whose cursor moved between two checkpoints: a page that was not its window's last. */
function advancedWindows(before: Checkpoint | undefined, after: Checkpoint, stream: string): number {
  let advanced = 0;
  const next = after.streams[stream]?.partitions ?? {};
  const prev = before?.streams[stream]?.partitions ?? {};
  for (const [partition, state] of Object.entries(next)) {
    for (const w of state.pending) {
      const old = prev[partition]?.pending.find((p) => p.lt === w.lt);
      if (w.after && (!old || old.after?.id !== w.after.id)) advanced += 1;
    }
  }
  return advanced;
}

/**
 * No half page was ever yielded: every group of records between two checkpoints is one whole page of its
 * parent stream (100 objects when its window goes on) with every child of each parent on it, as the fake
 * holds them. `gone` lists parents deleted during the read: they may come without children, never with
 * some of them.
 */
export function expectWholePages(
  messages: readonly Message[],
  fake: FakeStripe,
  streams: readonly StreamName[],
  gone: ReadonlySet<string> = new Set(),
): void {
  const childrenOf = new Map<string, Map<string, Set<string>>>();
  for (const [child, link] of Object.entries(PARENT_FIELD)) {
    const byParent = new Map<string, Set<string>>();
    for (const object of fake.objects(child as StreamName)) {
      const parentId = object[link.field] as string;
      if (!byParent.has(parentId)) byParent.set(parentId, new Set());
      byParent.get(parentId)!.add(object.id as string);
    }
    childrenOf.set(child, byParent);
  }
  const groups = pages(messages);
  // The last group of a read that ended well is empty: nothing after the last checkpoint.
  for (const [index, group] of groups.entries()) {
    if (group.records.length === 0) continue;
    expect(group.after, `group ${index} is not followed by a checkpoint`).toBeDefined();
    const byStream = new Map<string, StripeObject[]>();
    for (const m of group.records) {
      if (m.type !== 'record') continue;
      if (!byStream.has(m.stream)) byStream.set(m.stream, []);
      byStream.get(m.stream)!.push(m.record as unknown as StripeObject);
    }
    const parents = [...byStream.keys()].filter((s) => !(s in PARENT_FIELD));
    expect(parents.length, `group ${index} mixes ${parents.join(', ')}`).toBeLessThanOrEqual(1);
    const parentStream = parents[0];
    if (parentStream !== undefined) {
      const count = byStream.get(parentStream)!.length;
      const advanced = advancedWindows(group.before, group.after!, parentStream);
      if (advanced > 0) expect(count, `group ${index}: a ${parentStream} page that its window goes on after`).toBe(100);
      expect(count).toBeLessThanOrEqual(100);
    }
    for (const [child, link] of Object.entries(PARENT_FIELD)) {
      if (!streams.includes(child as StreamName)) continue;
      const got = byStream.get(child) ?? [];
      const parentsHere = new Set((byStream.get(link.parent) ?? []).map((p) => p.id as string));
      const gotByParent = new Map<string, Set<string>>([...parentsHere].map((id) => [id, new Set<string>()]));
      for (const record of got) {
        const parentId = record[link.field] as string;
        expect(parentsHere.has(parentId), `${child} ${String(record.id)} came without its parent ${parentId}`).toBe(true);
        gotByParent.get(parentId)!.add(record.id as string);
      }
      for (const [parentId, ids] of gotByParent) {
        if (gone.has(parentId)) continue;
        expect([...ids].sort(), `${child} of ${parentId}`).toEqual([...(childrenOf.get(child)!.get(parentId) ?? [])].sort());
      }
    }
  }
}

/** Everything observable of an error: message, stack, and its cause chain as a log would print it. */
export async function errorText(error: unknown): Promise<string> {
  const { inspect } = await import('node:util');
  return `${String(error)}\n${inspect(error, { depth: 10 })}\n${(error as Error | undefined)?.stack ?? ''}`;
}

/** A body the fake would not send, for a request the fake accepted (auth, method and rate limit passed). */
export interface Override {
  readonly status?: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

const overridingServers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(overridingServers.splice(0).map((close) => close()));
});

/**
 * The fake behind a tiny node:http server on 127.0.0.1 that lets a test replace the answer to some
 * requests: every request still goes through the fake (its stats count it, its key check runs), and
 * when the fake answered 200 and `override` returns a body, that body is sent instead. Closed after the test.
 */
export async function serveWithOverride(fake: FakeStripe, override: (url: URL, body: string) => Override | undefined): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    void fake.handle({ method: req.method ?? 'GET', url: req.url ?? '/', headers }).then((response) => {
      let replaced: Override | undefined;
      try {
        replaced = response.status === 200 ? override(new URL(req.url ?? '/', 'http://127.0.0.1'), response.body) : undefined;
      } catch {
        replaced = undefined; // an edit that does not fit this page (too few records): the fake's own answer
      }
      const status = replaced?.status ?? response.status;
      const body = replaced?.body ?? response.body;
      res.writeHead(status, { ...response.headers, ...replaced?.headers, 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(body);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  overridingServers.push(() => new Promise<void>((done) => {
    server.closeAllConnections();
    server.close(() => done());
  }));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}
