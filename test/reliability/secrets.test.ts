/**
 * The key never leaks. One test drives every path of the reliability suite with known keys (the bad input
 * table, every fault kind that never heals, a faulty sync that heals, deleted parents and cursors,
 * authentication and permission failures, check(), and the CLI) and scans everything that comes out: every
 * error's message, stack and cause chain, every event payload of every name, every checkpoint, everything
 * the CLI prints and writes. Stripe's masked form (`sk_test_****1234`) is allowed; the key is not, nor any
 * 16 characters of its secret part, nor anything else shaped like a whole key.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { StripeSource, type Message, type SourceEvents, type StreamName } from '../../src/index.js';
import type { FaultKind } from '../../src/testing/index.js';
import { CASES, firstCursor, setup } from './bad-input-cases.js';
import { collect, expectOnlyGets, startFake } from './helpers.js';

/** Every event name of SourceEvents: adding an event without listing it here fails the type check. */
const EVENT_NAMES = ['request', 'retry', 'rate_limited', 'page', 'stream_start', 'stream_end', 'progress', 'warning'] as const;
type Unlisted = Exclude<keyof SourceEvents, (typeof EVENT_NAMES)[number]>;
const everyEventListed: [Unlisted] extends [never] ? true : Unlisted = true;

const CLI = process.env.STRIPE_SOURCE_CLI ?? resolve('dist/cli/main.js');
const STREAMS: StreamName[] = ['customers', 'invoices', 'invoice_line_items', 'setup_intents', 'setup_attempts'];
const WRONG_KEY = 'sk_test_51KnownWrongKeyNeverValid0123456789abcd';
const WRONG_LIVE_KEY = 'sk_live_51KnownWrongLiveKey0123456789abcdefgh';
const dirs: string[] = [];
afterAll(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** What came out, labelled by where it came from. */
class Scan {
  readonly keys = new Set<string>([WRONG_KEY, WRONG_LIVE_KEY]);
  readonly texts: Array<{ where: string; text: string }> = [];
  readonly events = new Map<string, number>();

  add(where: string, text: string): void {
    this.texts.push({ where, text });
  }

  error(where: string, error: unknown): void {
    this.add(`${where}: error`, `${String(error)}\n${(error as Error | undefined)?.stack ?? ''}\n${inspect(error, { depth: 12 })}`);
  }

  messages(where: string, messages: readonly Message[]): void {
    for (const m of messages) if (m.type === 'checkpoint') this.add(`${where}: checkpoint`, JSON.stringify(m.checkpoint));
  }

  /** Listens to every event of a source. */
  observe = (source: StripeSource): void => {
    for (const name of EVENT_NAMES) {
      (source.on as (event: string, listener: (payload: unknown) => void) => unknown)(name, (payload: unknown) => {
        this.events.set(name, (this.events.get(name) ?? 0) + 1);
        this.add(`event ${name}`, JSON.stringify(payload));
      });
    }
  };

  /** Every text is free of every key: whole, its secret part, 16 characters of it, or any unmasked key. */
  expectClean(): void {
    const needles: string[] = [];
    for (const key of this.keys) {
      const secret = key.replace(/^[a-z]{2}_(?:live|test)_/, '');
      needles.push(key);
      for (let i = 0; i + 16 <= secret.length; i++) needles.push(secret.slice(i, i + 16));
    }
    const leaks: string[] = [];
    for (const { where, text } of this.texts) {
      for (const needle of needles) if (text.includes(needle)) leaks.push(`${where}: contains ${needle.slice(0, 8)}...`);
      const shaped = /[sr]k_(?:live|test)_[A-Za-z0-9]{8,}/.exec(text);
      if (shaped) leaks.push(`${where}: contains a key-shaped ${shaped[0].slice(0, 10)}...`);
    }
    expect(leaks).toEqual([]);
  }
}

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(() => undefined, (error: unknown) => error);
}

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, STRIPE_API_KEY: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('secrets', () => {
  it('no error, event, checkpoint or CLI output of any path of the suite holds the key', async () => {
    expect(everyEventListed).toBe(true);
    if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does) first.');
    // The scan itself catches a key, its secret part, or an unknown key-shaped string, and lets the masked form by.
    const probe = (text: string): void => {
      const p = new Scan();
      p.keys.add('sk_test_51ProbeKeyForTheScanItself0000000000');
      p.add('probe', text);
      p.expectClean();
    };
    expect(() => probe('Authorization: Bearer sk_test_51ProbeKeyForTheScanItself0000000000')).toThrow();
    expect(() => probe('"51ProbeKeyForTheScanItself"')).toThrow();
    expect(() => probe('rk_live_51SomeOtherKey999999')).toThrow();
    expect(() => probe('Invalid API Key provided: sk_test_****0000')).not.toThrow();

    const scan = new Scan();

    // 1. The bad input table, every case, with its key known.
    for (const c of CASES) {
      const s = await setup(c.override, scan.observe);
      scan.keys.add(s.fake.apiKey);
      const error = await c.run(s);
      expect(error, c.name).toBeDefined();
      scan.error(c.name, error);
    }

    // 2. Every fault kind, on every request of one stream, until the retries give up.
    const kinds: FaultKind[] = ['server_error', 'bad_gateway', 'service_unavailable', 'no_retry_server_error', 'html_error', 'rate_limit',
      'lock_timeout', 'connection_reset', 'malformed_json', 'truncated_json', 'timeout', 'hung'];
    for (const kind of kinds) {
      const { fake, source } = await startFake({ seed: 41, records: { customers: 40, invoices: 20, setup_intents: 10 }, faults: { probability: 1, kinds: [kind], paths: ['/v1/invoices'] } });
      scan.keys.add(fake.apiKey);
      const s = source({ maxRetries: 1, minRetryDelayMs: 1, timeoutMs: 200 });
      scan.observe(s);
      const messages: Message[] = [];
      const error = await failure(async () => {
        for await (const m of s.read({ streams: STREAMS })) messages.push(m);
      });
      expect(error, kind).toBeDefined();
      scan.error(`fault ${kind}`, error);
      scan.messages(`fault ${kind}`, messages);
      expectOnlyGets(fake);
    }

    // 3. A sync that heals: every transient kind at 20%, parents deleted under it.
    {
      const { fake, source } = await startFake({ seed: 42, records: { customers: 250, invoices: 120, setup_intents: 40 }, faults: { probability: 0.2 } });
      scan.keys.add(fake.apiKey);
      const s = source({ maxRetries: 10, minRetryDelayMs: 1, timeoutMs: 300 });
      scan.observe(s);
      let n = 0;
      s.on('request', (e) => {
        const id = /[?&]setup_intent=(seti_[A-Za-z0-9]+)/.exec(e.path)?.[1];
        if (id && e.attempt === 1 && n++ % 4 === 0) fake.del('setup_intents', id);
      });
      scan.messages('healing sync', await collect(s.read({ streams: STREAMS })));
      expectOnlyGets(fake);
    }

    // 4. A cursor whose object was deleted (warning cursor_lost).
    {
      const deleted = new Set<string>();
      const s = await setup((url) => {
        const after = url.searchParams.get('starting_after');
        return after !== null && deleted.has(after)
          ? { status: 404, body: JSON.stringify({ error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such customer: '${after}'` } }) }
          : undefined;
      }, scan.observe);
      scan.keys.add(s.fake.apiKey);
      const { messages, checkpoint } = await firstCursor(s.source());
      const cursor = checkpoint.streams.customers!.partitions['']!.pending.find((w) => w.after)!.after!;
      s.fake.del('customers', cursor.id);
      deleted.add(cursor.id);
      scan.messages('cursor lost', [...messages, ...(await collect(s.source().read({ streams: ['customers'], checkpoint })))]);
    }

    // 5. Restricted keys: check() lists what is forbidden; reading it is a PermissionError.
    {
      const { fake, source } = await startFake({ seed: 43, records: { charges: 20 } });
      const restricted = fake.restrictedKey({ deny: ['charges', 'subscriptions'] });
      scan.keys.add(fake.apiKey);
      scan.keys.add(restricted);
      const s = source({ apiKey: restricted });
      scan.observe(s);
      scan.add('check() with a restricted key', JSON.stringify(await s.check()));
      scan.error('restricted read', await failure(() => collect(s.read({ streams: ['charges'] }))));
      scan.error('wrong key check()', await failure(() => source({ apiKey: WRONG_KEY }).check()));
    }

    // 6. The CLI: a sync, check, a wrong key, a key file with a newline, a restricted key,
    //    a publishable key, and a sync that fails on faults; everything printed and written is scanned.
    {
      const { fake, url } = await startFake({ seed: 44, records: { customers: 120, charges: 60 } });
      const faulty = await startFake({ seed: 45, records: { customers: 60 }, faults: { probability: 1, kinds: ['no_retry_server_error'], paths: ['/v1/customers'] } });
      const restricted = fake.restrictedKey({ deny: ['customers'] });
      for (const key of [fake.apiKey, faulty.fake.apiKey, restricted]) scan.keys.add(key);
      const dir = mkdtempSync(join(tmpdir(), 'stripe-source-secrets-'));
      dirs.push(dir);
      const keyFile = join(dir, 'key.txt');
      writeFileSync(keyFile, `${fake.apiKey}\n`);
      const runs: Array<[string, string[], Record<string, string>, number]> = [
        ['sync', ['sync', '--out', join(dir, 'a'), '--base-url', url, '--streams', 'customers,charges'], { STRIPE_API_KEY: fake.apiKey }, 0],
        ['sync with a key file', ['sync', '--out', join(dir, 'b'), '--base-url', url, '--streams', 'charges', '--api-key-file', keyFile], {}, 0],
        ['check', ['check', '--base-url', url, '--streams', 'customers,charges'], { STRIPE_API_KEY: restricted }, 0],
        ['sync with a wrong key', ['sync', '--out', join(dir, 'c'), '--base-url', url], { STRIPE_API_KEY: WRONG_LIVE_KEY }, 1],
        ['sync with a padded key', ['sync', '--out', join(dir, 'd'), '--base-url', url, '--streams', 'nope'], { STRIPE_API_KEY: ` ${fake.apiKey} ` }, 2],
        ['sync with a restricted key', ['sync', '--out', join(dir, 'e'), '--base-url', url, '--streams', 'customers'], { STRIPE_API_KEY: restricted }, 1],
        ['sync that fails on faults', ['sync', '--out', join(dir, 'f'), '--base-url', faulty.url, '--streams', 'customers'], { STRIPE_API_KEY: faulty.fake.apiKey }, 1],
      ];
      for (const [name, args, env, code] of runs) {
        const out = await cli(args, env);
        expect(out.code, `${name}: ${out.stderr}`).toBe(code);
        scan.add(`CLI ${name}: stdout`, out.stdout);
        scan.add(`CLI ${name}: stderr`, out.stderr);
      }
      for (const sub of readdirSync(dir).filter((d) => !d.endsWith('.txt'))) {
        for (const file of readdirSync(join(dir, sub))) scan.add(`CLI file ${sub}/${file}`, readFileSync(join(dir, sub, file), 'utf8'));
      }
      expectOnlyGets(fake);
      expectOnlyGets(faulty.fake);
    }

    // Every event name was seen (the listeners work), and nothing anywhere holds a key.
    for (const name of EVENT_NAMES) expect(scan.events.get(name) ?? 0, `event ${name}`).toBeGreaterThan(0);
    expect(scan.texts.some(({ text }) => /sk_test_\*\*\*\*[A-Za-z0-9]{4}/.test(text)), 'the masked form appears somewhere').toBe(true);
    scan.expectClean();
    console.log(`secrets: ${scan.texts.length} texts scanned (${[...scan.events.values()].reduce((a, b) => a + b, 0)} events), ${scan.keys.size} keys, no leak`);
  }, 60_000);
});
