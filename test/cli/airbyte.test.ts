import { spawn } from 'node:child_process';
import { Ajv, type ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { STREAM_NAMES } from '../../src/catalog/streams.js';
import { demoRecordCounts } from '../../src/cli/demo-data.js';
import { createFakeStripe } from '../../src/testing/index.js';
import { CLI, NOW, useProtocolFixture } from './protocol-fixture.js';

const SEED = 9;
const RECORDS = 2500;
const STREAMS = ['customers', 'charges', 'invoice_line_items', 'prices'] as const;
const fixture = useProtocolFixture({ seed: SEED, records: RECORDS, dirPrefix: 'stripe-source-airbyte-' });
const { children, file } = fixture;

function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { api_key: fixture.fake.apiKey, base_url: fixture.fake.url, max_requests_per_second: 1000, max_requests_per_second_per_endpoint: 1000, min_retry_delay_ms: 5, ...extra };
}

interface Message { type: string; [key: string]: unknown }
interface Run { code: number | null; stdout: string; stderr: string; messages: Message[] }

function run(args: string[]): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, 'airbyte', ...args], { env: { ...process.env, STRIPE_API_KEY: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      const messages = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Message);
      expect(stdout).not.toContain(fixture.fake.apiKey);
      expect(stderr).not.toContain(fixture.fake.apiKey);
      done({ code, stdout, stderr, messages });
    });
  });
}

const isInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;

/** The required fields of every Airbyte message type this source writes; anything else fails. */
function checkMessage(m: Message): void {
  const at = JSON.stringify(m).slice(0, 200);
  switch (m.type) {
    case 'SPEC':
      expect(m.spec, at).toMatchObject({ connectionSpecification: { type: 'object' } });
      break;
    case 'CONNECTION_STATUS':
      expect(['SUCCEEDED', 'FAILED'], at).toContain((m.connectionStatus as { status: string }).status);
      break;
    case 'CATALOG':
      expect(Array.isArray((m.catalog as { streams: unknown }).streams), at).toBe(true);
      break;
    case 'RECORD': {
      const r = m.record as { stream: unknown; data: unknown; emitted_at: unknown };
      expect(typeof r.stream, at).toBe('string');
      expect(typeof r.data, at).toBe('object');
      expect(isInt(r.emitted_at), at).toBe(true);
      break;
    }
    case 'STATE': {
      const s = m.state as { type: string; stream: { stream_descriptor: { name: unknown }; stream_state: unknown } };
      expect(s.type, at).toBe('STREAM');
      expect(typeof s.stream.stream_descriptor.name, at).toBe('string');
      expect(s.stream.stream_state, at).toMatchObject({ checkpoint_version: 1, account: fixture.fake.accountId, livemode: false });
      break;
    }
    case 'LOG':
      expect(['FATAL', 'ERROR', 'WARN', 'INFO', 'DEBUG', 'TRACE'], at).toContain((m.log as { level: string }).level);
      expect(typeof (m.log as { message: unknown }).message, at).toBe('string');
      break;
    case 'TRACE': {
      const t = m.trace as { type: string; emitted_at: unknown; error: { message: unknown; failure_type: string } };
      expect(t.type, at).toBe('ERROR');
      expect(isInt(t.emitted_at), at).toBe(true);
      expect(typeof t.error.message, at).toBe('string');
      expect(['config_error', 'system_error', 'transient_error'], at).toContain(t.error.failure_type);
      break;
    }
    default:
      throw new Error(`not an Airbyte message type: ${at}`);
  }
}

interface AirbyteStream { name: string; json_schema: object; supported_sync_modes: string[]; source_defined_cursor: boolean; default_cursor_field: string[]; source_defined_primary_key: string[][] }
type StateMessage = { type: 'STATE'; state: { stream: { stream_descriptor: { name: string } } } };
type RecordMessage = { type: 'RECORD'; record: { stream: string; data: { id: string; _ab_cdc_deleted_at?: unknown } } };

/**
 * A read's messages by the protocol's rules; returns record ids by stream. Every RECORD validates against
 * its discovered schema, and every stream's last RECORD is followed by a STATE of that stream.
 */
function checkRead(messages: Message[], validators: Map<string, ValidateFunction>, configured: readonly string[]): Map<string, Set<string>> {
  const records = new Map<string, Set<string>>();
  const uncovered = new Set<string>();
  for (const m of messages) {
    checkMessage(m);
    expect(['RECORD', 'STATE', 'LOG']).toContain(m.type);
    if (m.type === 'RECORD') {
      const { stream, data } = (m as unknown as RecordMessage).record;
      expect(configured).toContain(stream);
      const validate = validators.get(stream)!;
      expect(validate(data), `${stream} ${data.id}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
      expect(data._ab_cdc_deleted_at).toBeNull();
      let ids = records.get(stream);
      if (!ids) records.set(stream, (ids = new Set()));
      ids.add(data.id);
      uncovered.add(stream);
    } else if (m.type === 'STATE') {
      const name = (m as unknown as StateMessage).state.stream.stream_descriptor.name;
      expect(configured).toContain(name);
      uncovered.delete(name);
    }
  }
  expect([...uncovered], 'records after the last STATE of their stream').toEqual([]);
  return records;
}

/** What the Airbyte platform would store at a point of the read: the latest STATE of every stream. */
function stateAt(messages: Message[], end: number): unknown[] {
  const latest = new Map<string, unknown>();
  for (const m of messages.slice(0, end + 1)) if (m.type === 'STATE') latest.set((m as unknown as StateMessage).state.stream.stream_descriptor.name, m.state);
  return [...latest.values()];
}

function configuredCatalog(streams: AirbyteStream[], modes: Record<string, 'incremental' | 'full_refresh'>): unknown {
  return {
    streams: streams.filter((s) => modes[s.name]).map((s) => ({
      stream: s, sync_mode: modes[s.name], destination_sync_mode: modes[s.name] === 'incremental' ? 'append_dedup' : 'overwrite', primary_key: [['id']],
    })),
  };
}

const requestsOf = (messages: Message[]): number => {
  const done = messages.map((m) => (m.type === 'LOG' ? /read done: \d+ records, (\d+) requests/.exec((m.log as { message: string }).message) : null)).find(Boolean);
  expect(done, 'the closing LOG').toBeTruthy();
  return Number(done![1]);
};

const truth = createFakeStripe({ seed: SEED, records: demoRecordCounts(RECORDS), now: () => Date.parse(NOW) });

describe('the Airbyte source', () => {
  it('spec gives the config JSON Schema; check succeeds with a good key and reports FAILED for a bad one', async () => {
    const spec = await run(['spec']);
    expect(spec.code).toBe(0);
    expect(spec.messages).toHaveLength(1);
    checkMessage(spec.messages[0]!);
    const connectionSpecification = (spec.messages[0]!.spec as { connectionSpecification: object; supportsIncremental: boolean }).connectionSpecification;
    const validate = new Ajv({ strict: true, keywords: ['airbyte_secret', 'order'] }).compile(connectionSpecification);
    expect(validate(config())).toBe(true);
    expect(validate(config({ max_rps: 5 }))).toBe(false);
    expect(validate({ base_url: fixture.fake.url })).toBe(false);

    const [good, wrongKey, badConfig] = await Promise.all([
      run(['check', '--config', file('check-good.json', config())]),
      run(['check', '--config', file('check-key.json', config({ api_key: 'sk_test_0000wrongkey0000wrongkey' }))]),
      run(['check', '--config', file('check-bad.json', config({ start_date: 'yesterday' }))]),
    ]);
    for (const r of [good, wrongKey, badConfig]) {
      expect(r.code).toBe(0);
      expect(r.messages.filter((m) => m.type === 'CONNECTION_STATUS')).toHaveLength(1);
      r.messages.forEach(checkMessage);
    }
    const status = (r: Run): { status: string; message: string } => r.messages.find((m) => m.type === 'CONNECTION_STATUS')!.connectionStatus as { status: string; message: string };
    expect(status(good).status).toBe('SUCCEEDED');
    expect(status(wrongKey)).toMatchObject({ status: 'FAILED', message: expect.stringMatching(/AuthenticationError/) });
    expect(wrongKey.stdout).not.toContain('sk_test_0000wrongkey0000wrongkey');
    expect(status(badConfig)).toMatchObject({ status: 'FAILED', message: expect.stringMatching(/start_date is not a valid date/) });
  });

  it('reads by the protocol, resumes from the states of a mid-run stop and from the last ones, and re-reads full_refresh streams', async () => {
    const cfg = file('config.json', config());
    const discover = await run(['discover', '--config', cfg]);
    expect(discover.code).toBe(0);
    expect(discover.messages).toHaveLength(1);
    checkMessage(discover.messages[0]!);
    const streams = (discover.messages[0]!.catalog as { streams: AirbyteStream[] }).streams;
    expect(streams.map((s) => s.name).sort()).toEqual([...STREAM_NAMES].sort());
    const ajv = new Ajv({ strict: false });
    const validators = new Map(streams.map((s) => [s.name, ajv.compile(s.json_schema)]));
    for (const s of streams) {
      expect(s.supported_sync_modes).toEqual(['full_refresh', 'incremental']);
      expect(s.source_defined_primary_key).toEqual([['id']]);
      expect(s.source_defined_cursor).toBe(true);
      expect(s.json_schema).toMatchObject({ properties: { _ab_cdc_deleted_at: { type: ['null', 'string'] } } });
    }
    expect(streams.find((s) => s.name === 'charges')!.default_cursor_field).toEqual(['created']);

    const catalog = file('catalog.json', configuredCatalog(streams, Object.fromEntries(STREAMS.map((s) => [s, 'incremental']))));
    const first = await run(['read', '--config', cfg, '--catalog', catalog]);
    expect(first.code, first.stderr).toBe(0);
    const records = checkRead(first.messages, validators, STREAMS);
    for (const stream of STREAMS) expect([...records.get(stream)!].sort(), stream).toEqual(truth.objects(stream).map((o) => o.id as string).sort());

    // Stopped after half of its STATEs: what came before plus what the resumed read delivers is everything.
    const states = first.messages.flatMap((m, i) => (m.type === 'STATE' ? [i] : []));
    expect(states.length).toBeGreaterThan(4);
    const cut = states[Math.floor(states.length / 2)]!;
    const before = checkRead(first.messages.slice(0, cut + 1), validators, STREAMS);
    const middle = await run(['read', '--config', cfg, '--catalog', catalog, '--state', file('state-mid.json', stateAt(first.messages, cut))]);
    expect(middle.code, middle.stderr).toBe(0);
    const after = checkRead(middle.messages, validators, STREAMS);
    for (const stream of STREAMS) {
      const union = new Set([...(before.get(stream) ?? []), ...(after.get(stream) ?? [])]);
      expect(union.size, stream).toBe(truth.objects(stream).length);
    }

    // From the last states: no record again, a fraction of the requests. A full_refresh stream starts over.
    const lastState = file('state.json', stateAt(first.messages, first.messages.length - 1));
    const second = await run(['read', '--config', cfg, '--catalog', catalog, '--state', lastState]);
    expect(second.code, second.stderr).toBe(0);
    expect(checkRead(second.messages, validators, STREAMS).size).toBe(0);
    expect(requestsOf(second.messages)).toBeLessThan(requestsOf(first.messages) / 5);
    const mixed = file('catalog-mixed.json', configuredCatalog(streams, { customers: 'full_refresh', charges: 'incremental' }));
    const third = await run(['read', '--config', cfg, '--catalog', mixed, '--state', lastState]);
    expect(third.code, third.stderr).toBe(0);
    const reread = checkRead(third.messages, validators, ['customers', 'charges']);
    expect(reread.get('customers')?.size).toBe(truth.objects('customers').length);
    expect(reread.get('charges')).toBeUndefined();
  });

  it('bad config, catalog or state: a TRACE config_error and a non-zero exit', async () => {
    const catalog = file('catalog-small.json', { streams: [{ stream: { name: 'customers' }, sync_mode: 'incremental', destination_sync_mode: 'append_dedup' }] });
    const cases: Array<{ args: string[]; error: RegExp }> = [
      { args: ['read', '--config', file('bad-key.json', config({ bogus: true })), '--catalog', catalog], error: /unknown config key "bogus"/ },
      { args: ['discover', '--config', file('no-key.json', { base_url: fixture.fake.url })], error: /"api_key" is required/ },
      { args: ['read', '--config', file('good.json', config()), '--catalog', file('cat-unknown.json', { streams: [{ stream: { name: 'order_returns' }, sync_mode: 'incremental' }] })], error: /unknown stream "order_returns"/ },
      { args: ['read', '--config', file('good2.json', config()), '--catalog', catalog, '--state', file('legacy.json', { cursor: 1 })], error: /per-stream state/ },
      { args: ['read', '--config', file('good3.json', config()), '--catalog', catalog, '--state', file('foreign.json', [{ type: 'STREAM', stream: { stream_descriptor: { name: 'customers' }, stream_state: { checkpoint_version: 1, account: 'acct_Other1', livemode: false, state: { partitions: {} } } } }])], error: /CheckpointError/ },
    ];
    const results = await Promise.all(cases.map(({ args }) => run(args)));
    for (const [i, { args, error }] of cases.entries()) {
      const result = results[i]!;
      expect(result.code, args.join(' ')).toBe(2);
      result.messages.forEach(checkMessage);
      const traces = result.messages.filter((m) => m.type === 'TRACE');
      expect(traces, args.join(' ')).toHaveLength(1);
      expect(result.messages.filter((m) => m.type === 'RECORD' || m.type === 'STATE')).toEqual([]);
      const trace = traces[0]!.trace as { error: { message: string; failure_type: string } };
      expect(trace.error.failure_type).toBe('config_error');
      expect(trace.error.message).toMatch(error);
    }
  });
});
