import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll } from 'vitest';

export const CLI = resolve('dist/cli/main.js');
export const NOW = '2026-11-01T00:00:00Z';

export interface ProtocolFixture {
  /** The out-of-process fake Stripe, as `stripe-source fake-server` printed it. */
  readonly fake: { url: string; apiKey: string; accountId: string };
  /** Child processes to kill after the file's tests. */
  readonly children: ChildProcess[];
  /** Writes `value` as JSON into the file's temp dir; returns the path. */
  file(name: string, value: unknown): string;
}

/**
 * One out-of-process fake Stripe and one temp dir for a test file of a protocol (Singer, Airbyte): started
 * before its tests, killed and removed after them.
 */
export function useProtocolFixture(options: { seed: number; records: number; dirPrefix: string }): ProtocolFixture {
  const children: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), options.dirPrefix));
  let fake: ProtocolFixture['fake'] | undefined;
  beforeAll(async () => {
    if (!existsSync(CLI)) throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does) first.');
    const child = spawn(process.execPath, [CLI, 'fake-server', '--now', NOW, '--seed', String(options.seed), '--records', String(options.records)], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const line = await new Promise<string>((done, fail) => {
      createInterface({ input: child.stdout! }).once('line', done);
      child.once('exit', (code) => fail(new Error(`fake-server exited with ${code}`)));
    });
    fake = JSON.parse(line) as ProtocolFixture['fake'];
  });
  afterAll(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    get fake() {
      if (!fake) throw new Error('the fake Stripe is not started yet: use it inside a test');
      return fake;
    },
    children,
    file(name, value) {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(value));
      return path;
    },
  };
}
