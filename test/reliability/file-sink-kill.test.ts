/**
 * The file sink behind `sync` and `demo` under SIGKILL: a child process does nothing but commit pages
 * (records of two files, then the checkpoint), so kills land in every step of a commit. After each kill
 * the state file is whole, no data file is shorter than it records (data durable before the checkpoint),
 * and reopening cuts the files back to exactly the pages the checkpoint covers.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSink } from '../../src/cli/file-sink.js';
import { Rng } from '../../src/testing/random.js';

const KILLS = 20;
const CUSTOMERS_PER_PAGE = 40;
const CHARGES_PER_PAGE = 10;
const dirs: string[] = [];
afterAll(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

const CHILD = `
import { FileSink } from ${JSON.stringify(resolve('src/cli/file-sink.ts'))};
const dir = process.argv[2];
const sink = await FileSink.open({ dir });
let n = sink.checkpoint ? sink.checkpoint.streams.customers.partitions[''].through : 0;
process.stdout.write('start ' + n + '\\n');
const cp = (n) => ({ version: 1, account: 'acct_1Test', livemode: false, streams: { customers: { partitions: { '': { through: n, pending: [] } } } } });
for (;;) {
  n += 1;
  for (let k = 0; k < ${CUSTOMERS_PER_PAGE}; k++) await sink.write({ type: 'record', stream: 'customers', record: { id: 'cus_' + n + '_' + k, object: 'customer', page: n, pad: 'x'.repeat(200) } });
  for (let k = 0; k < ${CHARGES_PER_PAGE}; k++) await sink.write({ type: 'record', stream: 'charges', record: { id: 'ch_' + n + '_' + k, object: 'charge', page: n } });
  await sink.write({ type: 'checkpoint', checkpoint: cp(n) });
}
`;

/** The child bundled to plain JavaScript with esbuild (tsup's own bundler): Node 20 runs no TypeScript. */
async function bundleChild(dir: string): Promise<string> {
  const { build } = await import('esbuild');
  const entry = join(dir, 'child.ts');
  writeFileSync(entry, CHILD);
  const out = join(dir, 'child.mjs');
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: out, logLevel: 'silent' });
  return out;
}

function pagesIn(text: string, prefix: string, perPage: number, n: number): void {
  const ids = text.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { id: string }).id);
  const expected: string[] = [];
  for (let page = 1; page <= n; page++) for (let k = 0; k < perPage; k++) expected.push(`${prefix}_${page}_${k}`);
  expect(ids.length, `${prefix}: lines after reopening at page ${n}`).toBe(expected.length);
  expect(ids).toEqual(expected);
}

describe('the file sink under SIGKILL', () => {
  it(`killed ${KILLS} times mid-commit, it never leaves a checkpoint ahead of its data, and reopens to exactly what it covers`, async () => {
    const work = mkdtempSync(join(tmpdir(), 'stripe-source-sink-kill-'));
    dirs.push(work);
    const child = await bundleChild(work);
    const dir = join(work, 'out');
    const rng = new Rng(5);
    let pages = 0;
    let betweenDataAndCheckpoint = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      const proc = spawn(process.execPath, [child, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<NodeJS.Signals | null>((done) => proc.on('exit', (_code, signal) => done(signal)));
      const started = await new Promise<string>((done) => {
        createInterface({ input: proc.stdout! }).once('line', done);
        void exited.then(() => done(`exited: ${stderr}`));
      });
      // The restarted writer resumes right after the checkpoint the last kill left.
      expect(started).toBe(`start ${pages}`);
      await new Promise((done) => setTimeout(done, rng.int(5, 120)));
      proc.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const statePath = join(dir, 'checkpoint.json');
      if (!existsSync(statePath)) continue;
      const state = JSON.parse(readFileSync(statePath, 'utf8')) as { checkpoint: { streams: { customers: { partitions: Record<string, { through: number }> } } }; files: Record<string, number> };
      const n = state.checkpoint.streams.customers.partitions['']!.through;
      expect(n).toBeGreaterThanOrEqual(pages);
      let ahead = false;
      for (const [file, length] of Object.entries(state.files)) {
        const size = statSync(join(dir, file)).size;
        expect(size, `${file}: data behind the checkpoint`).toBeGreaterThanOrEqual(length);
        if (size > length) ahead = true;
      }
      if (ahead) betweenDataAndCheckpoint += 1;
      // Reopening cuts what came after the checkpoint: exactly pages 1..n remain, in order, once.
      const sink = await FileSink.open({ dir });
      await sink.close();
      pagesIn(readFileSync(join(dir, 'customers.ndjson'), 'utf8'), 'cus', CUSTOMERS_PER_PAGE, n);
      pagesIn(readFileSync(join(dir, 'charges.ndjson'), 'utf8'), 'ch', CHARGES_PER_PAGE, n);
      pages = n;
    }
    // Temp files of interrupted checkpoint writes are the only leftovers; they never replace the state file.
    const leftovers = readdirSync(dir).filter((f) => f.endsWith('.tmp')).length;
    console.log(`file-sink-kill: ${KILLS} kills, ${pages} pages committed, ${betweenDataAndCheckpoint} kills between a page's data and its checkpoint, ${leftovers} temp files left`);
    expect(pages).toBeGreaterThan(KILLS);
    // Kills did land between the data and the checkpoint: the ordering was put to the test.
    expect(betweenDataAndCheckpoint).toBeGreaterThan(0);
  });
});
