import { afterEach, expect } from 'vitest';
import { StripeSource, type Message, type StreamName, type StripeSourceOptions } from '../../src/index.js';
import { createFakeStripe, type FakeStripe, type FakeStripeOptions } from '../../src/testing/index.js';

/** A fixed clock shared by the fake and the source, so runs and resumes see the same account. */
export const NOW_MS = Date.UTC(2026, 9, 15, 12, 0, 0);

const servers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

export interface Harness {
  readonly fake: FakeStripe;
  readonly url: string;
  /** A source aimed at the fake; limits generous, retries quick, same clock. */
  source(options?: Partial<StripeSourceOptions>): StripeSource;
}

/** The fake Stripe on 127.0.0.1, closed after the test. Every test also checks it only ever saw GETs. */
export async function startFake(options: FakeStripeOptions = {}): Promise<Harness> {
  const fake = createFakeStripe({ now: () => NOW_MS, ...options });
  const server = await fake.listen();
  servers.push({
    close: async () => {
      expect(Object.keys(fake.stats.byMethod).filter((m) => m !== 'GET'), 'only GET requests may reach Stripe').toEqual([]);
      await server.close();
    },
  });
  return {
    fake,
    url: server.url,
    source: (extra = {}) =>
      new StripeSource({
        apiKey: fake.apiKey,
        baseUrl: server.url,
        maxRequestsPerSecond: 2000,
        maxRequestsPerSecondPerEndpoint: 2000,
        minRetryDelayMs: 2,
        now: () => NOW_MS,
        ...extra,
      }),
  };
}

/** JSON with keys sorted: equal content compares equal whatever the key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export async function collect(messages: AsyncIterable<Message>, limit = Infinity): Promise<Message[]> {
  const out: Message[] = [];
  for await (const m of messages) {
    out.push(m);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * What a host's tables hold after applying messages in order: stream -> id -> JSON of the record. Resync
 * brackets are applied as the docs tell hosts to: mark at `start`, sweep what the bracket did not deliver at
 * `end`. The marks live on the map, so applying a resumed run's messages to the same map continues a bracket.
 */
export function applyMessages(messages: readonly Message[], into = new Map<string, Map<string, string>>()): Map<string, Map<string, string>> {
  const marks = bracketMarks(into);
  for (const m of messages) {
    if (m.type === 'record') {
      let table = into.get(m.stream);
      if (!table) into.set(m.stream, (table = new Map()));
      const id = (m.record as { id: string }).id;
      table.set(id, canonical(m.record));
      marks.get(m.stream)?.seen.add(id);
    } else if (m.type === 'delete') {
      into.get(m.stream)?.delete(m.id);
    } else if (m.type === 'resync' && m.phase === 'start') {
      const open = marks.get(m.stream);
      if (!open || open.generation !== m.generation) marks.set(m.stream, { generation: m.generation, seen: new Set() });
    } else if (m.type === 'resync') {
      const open = marks.get(m.stream);
      expect(open?.generation, `resync end of ${m.stream} without its start`).toBe(m.generation);
      const table = into.get(m.stream);
      for (const id of [...(table?.keys() ?? [])]) if (!open!.seen.has(id)) table!.delete(id);
      marks.delete(m.stream);
    }
  }
  return into;
}

const allMarks = new WeakMap<object, Map<string, { generation: number; seen: Set<string> }>>();
function bracketMarks(tables: object): Map<string, { generation: number; seen: Set<string> }> {
  let marks = allMarks.get(tables);
  if (!marks) allMarks.set(tables, (marks = new Map()));
  return marks;
}

/** The fake's truth in the same shape. */
export function truth(fake: FakeStripe, streams: readonly StreamName[]): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const stream of streams) {
    out.set(stream, new Map(fake.objects(stream).map((o) => [o.id as string, canonical(o)])));
  }
  return out;
}

/** Asserts tables equal the truth stream by stream, with a readable diff of ids on failure. */
export function expectExact(tables: Map<string, Map<string, string>>, expected: Map<string, Map<string, string>>): void {
  for (const [stream, rows] of expected) {
    const got = tables.get(stream) ?? new Map<string, string>();
    const missing = [...rows.keys()].filter((id) => !got.has(id));
    const extra = [...got.keys()].filter((id) => !rows.has(id));
    expect({ stream, missing, extra }).toEqual({ stream, missing: [], extra: [] });
    for (const [id, json] of rows) expect(got.get(id), `${stream} ${id}`).toBe(json);
  }
}
