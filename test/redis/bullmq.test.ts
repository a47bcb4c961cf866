import { Queue, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { expect, it } from 'vitest';
import type { Checkpoint, StreamName, WorkUnit } from '../../src/index.js';
import { applyMessages, canonical, collect, expectExact, NOW_MS, startFake, truth } from '../source/helpers.js';
import { describeRedis, freshKey, REDIS_URL } from './helpers.js';

const STREAMS: StreamName[] = ['customers', 'invoices', 'invoice_line_items', 'prices', 'setup_attempts'];

/** What a job carries: the unit, and the unit's last checkpoint once a page of it was stored. */
interface UnitJob {
  readonly unit: WorkUnit;
  readonly checkpoint?: Checkpoint;
}

/** BullMQ makes connections of its own from these (workers need maxRetriesPerRequest: null). */
function connection(): ConnectionOptions {
  const url = new URL(REDIS_URL!);
  return { host: url.hostname, port: Number(url.port), ...(url.password ? { password: decodeURIComponent(url.password) } : {}), maxRetriesPerRequest: null };
}

describeRedis('work units on a BullMQ queue', () => {
  it('workers drain a queue of units (one retried from its checkpoint); the union is the account, and read() from the plan brings it current', async () => {
    const clock = { now: NOW_MS };
    const { fake, source } = await startFake({ now: () => clock.now, seed: 8, records: { customers: 900, invoices: 80, prices: 200, setup_intents: 50 } });
    const make = () => source({ now: () => clock.now });

    // The producer: plan once, enqueue every unit.
    const plan = await make().plan({ streams: STREAMS, unitsPerStream: 3 });
    const name = freshKey('units');
    const queue = new Queue<UnitJob>(name, { connection: connection() });
    await queue.addBulk(plan.units.map((unit) => ({ name: unit.stream, data: { unit }, opts: { attempts: 3, backoff: { type: 'fixed', delay: 20 } } })));

    // The shared table every worker writes to: stream -> id -> record.
    const tables = new Map<string, Map<string, string>>();
    // The largest customers unit fails once right after storing its first checkpoint past a record, as a crashed worker would.
    const inUnit = (u: WorkUnit) => fake.objects('customers').filter((c) => (c.created as number) >= u.gte && (c.created as number) < u.lt).length;
    const victimUnit = plan.units.filter((u) => u.stream === 'customers').sort((a, b) => inUnit(b) - inUnit(a))[0]!;
    expect(inUnit(victimUnit)).toBeGreaterThan(200);
    const victim = victimUnit.id;
    const attempts: Array<{ attempt: number; resumed: boolean; ids: string[] }> = [];

    const byWorker = new Map<number, number>();
    const process = async (job: Job<UnitJob>, worker: number): Promise<void> => {
      byWorker.set(worker, (byWorker.get(worker) ?? 0) + 1);
      const ids: string[] = [];
      const mine = job.data.unit.id === victim;
      if (mine) attempts.push({ attempt: job.attemptsMade, resumed: job.data.checkpoint !== undefined, ids });
      for await (const m of make().readUnit(job.data.unit, { checkpoint: job.data.checkpoint })) {
        if (m.type === 'record') {
          const id = (m.record as { id: string }).id;
          let table = tables.get(m.stream);
          if (!table) tables.set(m.stream, (table = new Map()));
          table.set(id, canonical(m.record));
          ids.push(id);
        } else if (m.type === 'checkpoint') {
          // The records before it are in the table: a retry of this job resumes here.
          await job.updateData({ ...job.data, checkpoint: m.checkpoint });
          if (mine && job.attemptsMade === 0 && ids.length > 0) throw new Error('worker lost mid-unit');
        }
      }
    };
    const cleanup: Array<() => Promise<unknown>> = [];
    const done = new Promise<void>((resolve, reject) => {
      let completed = 0;
      const workers = Array.from({ length: 3 }, (_, i) => {
        const worker = new Worker<UnitJob>(name, (job) => process(job, i), { connection: connection(), concurrency: 2 });
        worker.on('completed', () => {
          if (++completed === plan.units.length) resolve();
        });
        worker.on('failed', (job, error) => {
          if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) reject(error);
        });
        return worker;
      });
      cleanup.push(...workers.map((w) => () => w.close()));
    });
    try {
      await done;
      const counts = await queue.getJobCounts('completed', 'failed');
      expect(counts).toEqual({ completed: plan.units.length, failed: 0 });
      expectExact(tables, truth(fake, STREAMS));
      console.log(JSON.stringify({ units: plan.units.length, jobsByWorker: Object.fromEntries(byWorker), victim: attempts.map((a) => ({ attempt: a.attempt, resumed: a.resumed, records: a.ids.length })) }));
      // The queue spread the units: more than one worker took some.
      expect(byWorker.size).toBeGreaterThan(1);

      // The failed attempt stored a checkpoint; the retry started from it and read none of its records again.
      expect(attempts.map((a) => [a.attempt, a.resumed])).toEqual([[0, false], [1, true]]);
      expect(attempts[0]!.ids.length).toBeGreaterThan(0);
      expect(attempts[1]!.ids.filter((id) => attempts[0]!.ids.includes(id))).toEqual([]);
      expect(attempts[1]!.ids.length).toBeGreaterThan(0);

      // Then incremental runs from the plan's checkpoint replay what changed since plan().
      clock.now += 5_000;
      fake.update('customers', fake.objects('customers')[3]!.id as string, { name: 'Changed after the queue' });
      fake.del('customers', fake.objects('customers')[40]!.id as string);
      fake.update('prices', fake.objects('prices')[7]!.id as string, { nickname: 'Renamed' });
      clock.now += 61_000;
      expect(() => expectExact(tables, truth(fake, STREAMS))).toThrow();
      const next = await collect(make().read({ streams: STREAMS, checkpoint: plan.checkpoint }));
      expectExact(applyMessages(next, tables), truth(fake, STREAMS));
    } finally {
      await Promise.all(cleanup.map((close) => close()));
      await queue.obliterate({ force: true });
      await queue.close();
    }
  }, 30_000);
});
