import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STREAM_NAMES } from '../../src/catalog/streams.js';
import { ACTIVITY_AT_MS, DEMO_NOW_MS } from '../../src/cli/demo.js';
import { applyDemoActivity, demoRecordCounts } from '../../src/cli/demo-data.js';
import { createFakeStripe } from '../../src/testing/index.js';
import { canonical } from '../source/helpers.js';
import { replayFiles } from './replay.js';

const CLI = resolve('dist/cli/main.js');
const dirs: string[] = [];

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does) first.');
});
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function demo(dir: string, records: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, 'demo', '--fast', '--records', String(records), '--out', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => done({ code, stdout, stderr }));
  });
}

describe('the demo (the main job)', () => {
  it('syncs the whole fake account, then a second run captures its updates, cancellations and deletes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stripe-source-demo-'));
    dirs.push(dir);
    const records = 2000;
    let clock = DEMO_NOW_MS;
    const fake = createFakeStripe({ seed: 1, records: demoRecordCounts(records), now: () => clock });
    const truth = () => new Map(STREAM_NAMES.map((s) => [s as string, new Map(fake.objects(s).map((o) => [o.id as string, canonical(o)]))]));
    const expectFiles = (expected: Map<string, Map<string, string>>, options: { unique?: boolean }) => {
      const files = replayFiles(dir, options);
      for (const [stream, rows] of expected) {
        const got = files.get(stream) ?? new Map<string, string>();
        expect({ stream, missing: [...rows.keys()].filter((id) => !got.has(id)), extra: [...got.keys()].filter((id) => !rows.has(id)) })
          .toEqual({ stream, missing: [], extra: [] });
        for (const [id, json] of rows) expect(got.get(id), `${stream} ${id}`).toBe(json);
      }
    };

    const first = await demo(dir, records);
    expect(first.code, first.stderr).toBe(0);
    expectFiles(truth(), { unique: true });

    clock = ACTIVITY_AT_MS;
    const activity = applyDemoActivity(fake);
    const second = await demo(dir, records);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain(`${activity.deleted} objects deleted`);
    expectFiles(truth(), {});
  });
});
