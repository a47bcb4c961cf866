import { spawn } from 'node:child_process';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { STREAM_NAMES } from '../../src/catalog/streams.js';
import { demoRecordCounts } from '../../src/cli/demo-data.js';
import { createFakeStripe } from '../../src/testing/index.js';
import { CLI, NOW, useProtocolFixture } from './protocol-fixture.js';

const TAP = CLI.replace(/main\.js$/, 'tap.js');

const SEED = 7;
const RECORDS = 2500;
const fixture = useProtocolFixture({ seed: SEED, records: RECORDS, dirPrefix: 'stripe-source-singer-' });
const { children, file } = fixture;

function run(args: string[], bin = CLI): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, STRIPE_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

function config(extra: Record<string, unknown> = {}): string {
  return file(`config-${Math.random().toString(36).slice(2)}.json`, {
    api_key: fixture.fake.apiKey, base_url: fixture.fake.url, max_requests_per_second: 1000, max_requests_per_second_per_endpoint: 1000, min_retry_delay_ms: 5, ...extra,
  });
}

interface SingerMessage { type: string; stream?: string; schema?: object; key_properties?: string[]; record?: { id: string; [k: string]: unknown }; time_extracted?: string; value?: unknown }
interface CatalogStream { tap_stream_id: string; stream: string; schema: object; key_properties: string[]; replication_key?: string; selected?: boolean; metadata: Array<{ breadcrumb: string[]; metadata: Record<string, unknown> }> }

function lines(stdout: string): SingerMessage[] {
  return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as SingerMessage);
}

/** The requests a run sent, from its closing summary log line on stderr. */
function requestsOf(stderr: string): number {
  const summary = stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event?: string; requests?: number }).find((l) => l.event === 'summary');
  expect(summary, 'summary log line').toBeDefined();
  return summary!.requests!;
}

/**
 * Checks a tap's output against the Singer spec and returns the records by stream: every line a known
 * message; a SCHEMA for a stream before any of its RECORDs; every RECORD valid against its SCHEMA and
 * carrying its key properties; STATE values in our format.
 */
function checkSingerRules(messages: SingerMessage[]): Map<string, Set<string>> {
  const ajv = new Ajv({ strict: false });
  const schemas = new Map<string, { validate: ValidateFunction; keys: string[] }>();
  const records = new Map<string, Set<string>>();
  for (const [i, m] of messages.entries()) {
    expect(['SCHEMA', 'RECORD', 'STATE'], `message ${i}`).toContain(m.type);
    if (m.type === 'SCHEMA') {
      expect(typeof m.stream).toBe('string');
      expect(Array.isArray(m.key_properties)).toBe(true);
      schemas.set(m.stream!, { validate: ajv.compile(m.schema!), keys: m.key_properties! });
    } else if (m.type === 'RECORD') {
      const schema = schemas.get(m.stream!);
      expect(schema, `RECORD of ${m.stream} before its SCHEMA`).toBeDefined();
      expect(schema!.validate(m.record), `${m.stream} ${m.record?.id}: ${ajv.errorsText(schema!.validate.errors)}`).toBe(true);
      for (const key of schema!.keys) expect(m.record).toHaveProperty(key);
      expect(Number.isNaN(Date.parse(m.time_extracted!))).toBe(false);
      let ids = records.get(m.stream!);
      if (!ids) records.set(m.stream!, (ids = new Set()));
      ids.add(m.record!.id);
    } else {
      expect(m.value).toMatchObject({ stripe_source: { version: 1, account: fixture.fake.accountId, livemode: false } });
    }
  }
  return records;
}

const truth = createFakeStripe({ seed: SEED, records: demoRecordCounts(RECORDS), now: () => Date.parse(NOW) });
const idsOf = (stream: 'customers' | 'charges' | 'invoice_line_items' | 'prices'): string[] => truth.objects(stream).map((o) => o.id as string).sort();

describe('the Singer tap', () => {
  it('--discover lists every stream with its schema, key properties, replication key and metadata, none selected', async () => {
    const { code, stdout, stderr } = await run(['singer', '--config', config(), '--discover']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const catalog = JSON.parse(stdout) as { streams: CatalogStream[] };
    expect(catalog.streams.map((s) => s.tap_stream_id).sort()).toEqual([...STREAM_NAMES].sort());
    const ajv = new Ajv({ strict: false });
    for (const s of catalog.streams) {
      expect(s.stream).toBe(s.tap_stream_id);
      expect(s.key_properties).toEqual(['id']);
      ajv.compile(s.schema);
      const top = s.metadata.find((m) => m.breadcrumb.length === 0)!.metadata;
      expect(top).toMatchObject({ inclusion: 'available', 'table-key-properties': ['id'], 'forced-replication-method': 'INCREMENTAL' });
      expect(top.selected).toBeUndefined();
      expect(s.metadata.find((m) => m.breadcrumb.join('.') === 'properties.id')?.metadata.inclusion).toBe('automatic');
    }
    const byName = new Map(catalog.streams.map((s) => [s.stream, s]));
    expect(byName.get('charges')!.replication_key).toBe('created');
    expect(byName.get('invoice_items')!.replication_key).toBe('date');
    expect(byName.get('invoice_line_items')!.replication_key).toBeUndefined();
  });

  it('the tap-stripe-source bin (what Meltano runs) is the singer command', async () => {
    const viaBin = await run(['--config', config(), '--discover'], TAP);
    expect(viaBin.code, viaBin.stderr).toBe(0);
    expect(viaBin.stdout).toBe((await run(['singer', '--config', config(), '--discover'])).stdout);
  });

  it('syncs the selected streams by the rules, a mid-run STATE covers what came before it, and the last STATE resumes without a re-read', async () => {
    const discovered = JSON.parse((await run(['singer', '--config', config(), '--discover'])).stdout) as { streams: CatalogStream[] };
    for (const s of discovered.streams) {
      const top = s.metadata.find((m) => m.breadcrumb.length === 0)!;
      if (['customers', 'charges', 'invoice_line_items'].includes(s.stream)) top.metadata.selected = true;
      if (s.stream === 'prices') s.selected = true; // the legacy top-level flag
      if (s.stream === 'refunds') Object.assign(s, { selected: true, metadata: [{ ...top, metadata: { ...top.metadata, selected: false } }] }); // metadata wins
    }
    const catalog = file('catalog.json', discovered);
    const cfg = config();

    const first = await run(['singer', '--config', cfg, '--catalog', catalog]);
    expect(first.code, first.stderr).toBe(0);
    const messages = lines(first.stdout);
    const records = checkSingerRules(messages);
    expect(messages.filter((m) => m.type === 'SCHEMA').map((m) => m.stream).sort()).toEqual(['charges', 'customers', 'invoice_line_items', 'prices']);
    expect(messages.at(-1)!.type).toBe('STATE');
    for (const stream of ['customers', 'charges', 'invoice_line_items', 'prices'] as const) expect([...records.get(stream)!].sort(), stream).toEqual(idsOf(stream));

    // Resume from a STATE in the middle: what came before it plus what the resumed run delivers is everything.
    const states = messages.flatMap((m, i) => (m.type === 'STATE' ? [i] : []));
    expect(states.length).toBeGreaterThan(3);
    const cut = states[Math.floor(states.length / 2)]!;
    const before = checkSingerRules(messages.slice(0, cut + 1));
    const middle = await run(['singer', '--config', cfg, '--catalog', catalog, '--state', file('state-mid.json', messages[cut]!.value)]);
    expect(middle.code, middle.stderr).toBe(0);
    const after = checkSingerRules(lines(middle.stdout));
    for (const stream of ['customers', 'charges', 'invoice_line_items', 'prices'] as const) {
      const union = new Set([...(before.get(stream) ?? []), ...(after.get(stream) ?? [])]);
      expect([...union].sort(), stream).toEqual(idsOf(stream));
    }
    const count = (m: Map<string, Set<string>>): number => [...m.values()].reduce((n, ids) => n + ids.size, 0);
    expect(count(after)).toBeLessThan(count(records));

    // Resume from the last STATE: nothing is read again.
    const second = await run(['singer', '--config', cfg, '--catalog', catalog, '--state', file('state.json', messages.at(-1)!.value)]);
    expect(second.code, second.stderr).toBe(0);
    const again = lines(second.stdout);
    checkSingerRules(again);
    expect(again.filter((m) => m.type === 'RECORD')).toEqual([]);
    expect(requestsOf(second.stderr)).toBeLessThan(requestsOf(first.stderr) / 5);
    // The state file may also hold the whole STATE message.
    const wrapped = await run(['singer', '--config', cfg, '--catalog', catalog, '--state', file('state-msg.json', messages.at(-1))]);
    expect(lines(wrapped.stdout).filter((m) => m.type === 'RECORD')).toEqual([]);

    for (const output of [first.stdout, first.stderr, middle.stdout, middle.stderr, second.stdout, second.stderr]) expect(output).not.toContain(fixture.fake.apiKey);
  });

  it('bad config, catalog or state: a clear error on stderr, nothing on stdout, exit 2', async () => {
    const cases: Array<{ args: string[]; error: RegExp }> = [
      { args: ['singer', '--config', config({ max_rps: 5 })], error: /unknown config key "max_rps"/ },
      { args: ['singer', '--config', file('no-key.json', { base_url: fixture.fake.url })], error: /"api_key" is required/ },
      { args: ['singer', '--config', config({ start_date: 'yesterday' })], error: /start_date is not a valid date/ },
      { args: ['singer', '--discover'], error: /singer needs --config/ },
      { args: ['singer', '--config', config(), '--catalog', file('cat-unknown.json', { streams: [{ tap_stream_id: 'order_returns', metadata: [] }] })], error: /unknown stream "order_returns"/ },
      { args: ['singer', '--config', config(), '--catalog', file('cat-none.json', { streams: [{ tap_stream_id: 'charges', metadata: [] }] })], error: /selects no stream/ },
      { args: ['singer', '--config', config(), '--state', file('state-foreign.json', { bookmarks: { charges: { created: 1 } } })], error: /not this tap's state/ },
      {
        args: ['singer', '--config', config(), '--state', file('state-damaged.json', { stripe_source: { version: 99, account: null, livemode: false, streams: {} } })],
        error: /CheckpointError/,
      },
    ];
    const results = await Promise.all(cases.map(({ args }) => run(args)));
    for (const [i, { args, error }] of cases.entries()) {
      const result = results[i]!;
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(error);
      expect(result.stdout.slice(0, 300), args.join(' ')).toBe('');
      expect(result.stderr).not.toContain(fixture.fake.apiKey);
    }
  });
});
