import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { StreamName } from '../../src/index.js';
import { createFakeStripe } from '../../src/testing/index.js';
import { canonical, NOW_MS } from '../source/helpers.js';
import { describeRedis, freshKey, REDIS_URL } from './helpers.js';

const SCRIPT = resolve('test/redis/sync-process.mjs');
const dir = mkdtempSync(join(tmpdir(), 'stripe-source-redis-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Summary {
  readonly records: number;
  readonly requests: number;
  readonly rateLimited: number;
  readonly seconds: number;
}

function runProcess(env: Record<string, string>): Promise<Summary> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [SCRIPT], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) return fail(new Error(`sync process exited with ${code}: ${stderr.slice(-2000)}`));
      done(JSON.parse(stdout.trim().split('\n').at(-1)!) as Summary);
    });
  });
}

describeRedis('three processes share one account’s rate limit through Redis', () => {
  it('stay within the limits together (under 1% 429s) and deliver exactly the account', async () => {
    if (!existsSync(resolve('dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` (npm test does) first.');
    // Stripe's test-mode limits, counted over a sliding second, with a list page taking ~60 ms.
    const fake = createFakeStripe({
      seed: 11,
      now: () => NOW_MS,
      records: { customers: 3000, charges: 2500, products: 600, prices: 1000, invoices: 300, setup_intents: 150 },
      rateLimit: { global: 25, perEndpoint: 25 },
      latencyMs: { median: 60, p99: 200 },
    });
    const server = await fake.listen();
    try {
      // Each process syncs its own streams; the union is the account.
      const shares: StreamName[][] = [['customers', 'products'], ['charges', 'setup_intents', 'setup_attempts'], ['prices', 'invoices', 'invoice_line_items']];
      const key = freshKey('processes');
      const summaries = await Promise.all(
        shares.map((streams, i) =>
          runProcess({
            BASE_URL: server.url, API_KEY: fake.apiKey, REDIS_URL: REDIS_URL!, BUDGET_KEY: key,
            STREAMS: streams.join(','), NOW_MS: String(NOW_MS), OUT: join(dir, `p${i}.ndjson`),
          }),
        ),
      );
      const total = fake.stats.total;
      const limited = fake.stats.byStatus['429'] ?? 0;
      console.log(JSON.stringify({ summaries, total, limited, share: limited / total, byStatus: fake.stats.byStatus }));
      expect(limited / total).toBeLessThan(0.01);
      expect(summaries.reduce((n, s) => n + s.requests, 0)).toBe(total);

      for (const [i, streams] of shares.entries()) {
        const got = new Map<string, Map<string, string>>(streams.map((s) => [s, new Map()]));
        for (const line of readFileSync(join(dir, `p${i}.ndjson`), 'utf8').split('\n')) {
          if (!line) continue;
          const { stream, id, record } = JSON.parse(line) as { stream: string; id: string; record: unknown };
          got.get(stream)!.set(id, canonical(record));
        }
        for (const stream of streams) {
          const truth = new Map(fake.objects(stream).map((o) => [o.id as string, canonical(o)]));
          const rows = got.get(stream)!;
          expect({ stream, missing: [...truth.keys()].filter((id) => !rows.has(id)).length, extra: [...rows.keys()].filter((id) => !truth.has(id)).length })
            .toEqual({ stream, missing: 0, extra: 0 });
          for (const [id, json] of truth) expect(rows.get(id), `${stream} ${id}`).toBe(json);
        }
      }
    } finally {
      await server.close();
    }
  }, 60_000);
});
