import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultStreams } from '../../src/catalog/streams.js';
import { demoRecordCounts } from '../../src/cli/demo-data.js';
import { createFakeStripe } from '../../src/testing/index.js';
import { canonical } from '../source/helpers.js';
import { replayFiles } from './replay.js';

const CLI = resolve('dist/cli/main.js');
const NOW = '2026-10-01T00:00:00Z';
const children: ChildProcess[] = [];
const dirs: string[] = [];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does) first.');
});
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stripe-source-cli-'));
  dirs.push(dir);
  return dir;
}

/** The out-of-process fake Stripe, as `stripe-source fake-server` serves it. */
async function fakeServer(args: string[]): Promise<{ url: string; apiKey: string }> {
  const child = spawn(process.execPath, [CLI, 'fake-server', '--now', NOW, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const line = await new Promise<string>((done, fail) => {
    createInterface({ input: child.stdout! }).once('line', done);
    child.once('exit', (code) => fail(new Error(`fake-server exited with ${code}`)));
  });
  return JSON.parse(line) as { url: string; apiKey: string };
}

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, STRIPE_API_KEY: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/**
 * What the files hold, stream by stream, replayed as a reader would (deletes, resync sweeps); an id written
 * twice outside a resync bracket fails unless `upsert` (following re-delivers what changes).
 */
function readOut(dir: string, options: { upsert?: boolean } = {}): Map<string, Map<string, string>> {
  return replayFiles(dir, { unique: !options.upsert });
}

function expectFilesEqualTruth(dir: string, seed: number, total: number, options: { upsert?: boolean } = {}): void {
  const fake = createFakeStripe({ seed, records: demoRecordCounts(total), now: () => Date.parse(NOW) });
  const files = readOut(dir, options);
  for (const stream of ['customers', 'charges', 'invoices', 'invoice_line_items', 'subscriptions', 'subscription_items', 'setup_attempts', 'prices', 'events'] as const) {
    const truth = new Map(fake.objects(stream).map((o) => [o.id as string, canonical(o)]));
    const got = files.get(stream) ?? new Map<string, string>();
    expect([...truth.keys()].filter((id) => !got.has(id)), `${stream}: missing`).toEqual([]);
    expect([...got.keys()].filter((id) => !truth.has(id)), `${stream}: extra`).toEqual([]);
    for (const [id, json] of truth) expect(got.get(id)).toBe(json);
  }
}

describe('the command line', () => {
  it('sync writes every object of the out-of-process fake Stripe into NDJSON files, and a second run resumes', async () => {
    const { url, apiKey } = await fakeServer(['--seed', '3', '--records', '3000']);
    const dir = tempDir();
    // The fake has no limits here: the test-mode default of 25 requests/s would only make the test slow.
    const first = await run(['sync', '--out', dir, '--base-url', url, '--max-rps', '1000', '--max-rps-endpoint', '1000'], { STRIPE_API_KEY: apiKey });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // Not a terminal: one JSON line per event, ending with the summary.
    const logLines = first.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { time: string; event: string; outcome?: string; records?: number });
    expect(logLines.every((l) => typeof l.time === 'string' && typeof l.event === 'string')).toBe(true);
    expect(logLines.at(-1)).toMatchObject({ event: 'summary', outcome: 'Done', records: expect.any(Number) });
    expect(logLines.some((l) => l.event === 'stream_end')).toBe(true);
    expectFilesEqualTruth(dir, 3, 3000);
    const state = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { version: number; checkpoint: { version: number } };
    expect(state.version).toBe(1);
    expect(state.checkpoint.version).toBe(1);

    const second = await run(['sync', '--out', dir, '--base-url', url, '--max-rps', '1000', '--max-rps-endpoint', '1000'], { STRIPE_API_KEY: apiKey });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/"event":"resume"/);
    expectFilesEqualTruth(dir, 3, 3000);
    for (const output of [first.stdout, first.stderr, second.stdout, second.stderr]) expect(output).not.toContain(apiKey);
  });

  it('an interrupted sync exits 130 and the next run completes it with no duplicate in the files', async () => {
    const { url, apiKey } = await fakeServer(['--seed', '5', '--records', '4000', '--latency-ms', '15']);
    const dir = tempDir();
    const child = spawn(process.execPath, [CLI, 'sync', '--out', dir, '--base-url', url], { env: { ...process.env, STRIPE_API_KEY: apiKey }, stdio: 'ignore' });
    children.push(child);
    while (!existsSync(join(dir, 'checkpoint.json'))) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 150));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    expect(code).toBe(130);
    // The interrupted run keeps the default rate, so the interrupt lands mid-sync; the rest may go fast.
    const rest = await run(['sync', '--out', dir, '--base-url', url, '--max-rps', '1000', '--max-rps-endpoint', '1000'], { STRIPE_API_KEY: apiKey });
    expect(rest.code).toBe(0);
    expectFilesEqualTruth(dir, 5, 4000);
  });

  it('sync --follow catches up, keeps polling, and stops on SIGINT with the files complete', async () => {
    const { url, apiKey } = await fakeServer(['--seed', '4', '--records', '800']);
    const dir = tempDir();
    const child = spawn(process.execPath, [CLI, 'sync', '--out', dir, '--base-url', url, '--follow', '--poll-interval-ms', '50', '--max-rps', '1000', '--max-rps-endpoint', '1000'], {
      env: { ...process.env, STRIPE_API_KEY: apiKey }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stdout += d.toString()));
    // Caught up once the checkpoint has every stream with no window left to read; it keeps running after that.
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const caughtUp = (): boolean => {
      if (!existsSync(join(dir, 'checkpoint.json'))) return false;
      const state = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8')) as { checkpoint: { streams: Record<string, { partitions: Record<string, { pending: unknown[] }> }> } };
      const streams = Object.values(state.checkpoint.streams);
      return streams.length === defaultStreams({ connect: false }).length && streams.every((s) => Object.values(s.partitions).every((p) => p.pending.length === 0));
    };
    while (!caughtUp()) {
      const state = await Promise.race([exited.then(() => 'exited'), new Promise((r) => setTimeout(r, 50, 'waiting'))]);
      expect(state, `sync --follow ended on its own: ${stdout}`).toBe('waiting');
    }
    // Still running after catching up: it follows.
    expect(await Promise.race([exited.then(() => 'exited'), new Promise((r) => setTimeout(r, 300, 'following'))])).toBe('following');
    child.kill('SIGINT');
    expect([0, 130]).toContain(await exited);
    // Following re-delivers what changes, so the files are read as upserts by id.
    expectFilesEqualTruth(dir, 4, 800, { upsert: true });
    expect(stdout).not.toContain(apiKey);
  });

  it('bad input exits 2 with a message that says what to do; --help exits 0', async () => {
    const dir = tempDir();
    const noKey = await run(['sync', '--out', dir]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/STRIPE_API_KEY/);
    const publishable = await run(['sync', '--out', dir], { STRIPE_API_KEY: 'pk_test_abc123' });
    expect(publishable.code).toBe(2);
    expect(publishable.stderr).toMatch(/publishable/);
    const badStream = await run(['sync', '--out', dir, '--streams', 'charges,order_returns'], { STRIPE_API_KEY: 'sk_test_51Secret0123456789abcdef' });
    expect(badStream.code).toBe(2);
    expect(badStream.stderr).toMatch(/Orders API/);
    expect(badStream.stderr).not.toContain('sk_test_51Secret0123456789abcdef');
    const unknownFlag = await run(['sync', '--bogus']);
    expect(unknownFlag.code).toBe(2);
    const badPoll = await run(['sync', '--out', dir, '--poll-interval-ms', '10'], { STRIPE_API_KEY: 'sk_test_51Secret0123456789abcdef' });
    expect(badPoll.code).toBe(2);
    expect(badPoll.stderr).toMatch(/only applies with --follow/);
    const noAirbyteCommand = await run(['airbyte', 'sync']);
    expect(noAirbyteCommand.code).toBe(2);
    expect(noAirbyteCommand.stderr).toMatch(/spec, check, discover, read/);
    const helps = await Promise.all(['sync', 'check', 'catalog', 'demo', 'fake-server', 'singer', 'airbyte'].map(async (command) => ({ command, help: await run([command, '--help']) })));
    for (const { command, help } of helps) {
      expect(help.code, command).toBe(0);
      expect(help.stdout).toMatch(/Usage: stripe-source/);
    }
    const main = await run(['--help']);
    expect(main.stdout).toMatch(/singer .*Singer tap/);
    expect(main.stdout).toMatch(/airbyte .*Airbyte source/);
  });

  it('check and catalog print JSON', async () => {
    const { url, apiKey } = await fakeServer(['--records', '200']);
    const check = await run(['check', '--base-url', url, '--streams', 'customers,charges'], { STRIPE_API_KEY: apiKey });
    expect(check.code).toBe(0);
    expect(JSON.parse(check.stdout)).toMatchObject({ mode: 'test', keyKind: 'secret', streams: [{ stream: 'customers', status: 'ok' }, { stream: 'charges', status: 'ok' }] });
    const catalog = await run(['catalog']);
    const streams = (JSON.parse(catalog.stdout) as { streams: Array<{ name: string; jsonSchema: unknown }> }).streams;
    expect(streams.map((s) => s.name)).toContain('setup_attempts');
    expect(streams.every((s) => typeof s.jsonSchema === 'object')).toBe(true);
  });
});
