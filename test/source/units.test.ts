import { describe, expect, it } from 'vitest';
import { CheckpointError, ConfigError, type Checkpoint, type Message, type StreamName, type WorkUnit } from '../../src/index.js';
import { cutRange } from '../../src/plan/units.js';
import { applyMessages, collect, expectExact, NOW_MS, startFake, truth } from './helpers.js';

const STREAMS: StreamName[] = ['customers', 'invoices', 'invoice_line_items', 'prices', 'setup_attempts'];

describe('work units for a job queue', () => {
  it('cutRange covers a range exactly with equal windows', () => {
    expect(cutRange(0, 10, 3)).toEqual([{ gte: 0, lt: 3 }, { gte: 3, lt: 6 }, { gte: 6, lt: 10 }]);
    expect(cutRange(5, 7, 16)).toEqual([{ gte: 5, lt: 6 }, { gte: 6, lt: 7 }]);
  });

  it('units read in any order, on any worker, some stopped and resumed, deliver exactly the account', async () => {
    const clock = { now: NOW_MS };
    const { fake, source } = await startFake({ now: () => clock.now, seed: 4, records: { customers: 400, invoices: 60, prices: 150, setup_intents: 40 } });
    const make = () => source({ now: () => clock.now });
    const plan = await make().plan({ streams: STREAMS, unitsPerStream: 5 });
    // Plain JSON: it went through a queue.
    const units = JSON.parse(JSON.stringify(plan.units)) as WorkUnit[];
    expect(new Set(units.map((u) => u.id)).size).toBe(units.length);
    expect(units.filter((u) => u.stream === 'prices').map((u) => u.partition)).toContain('active=false');
    expect(units.find((u) => u.stream === 'invoices')!.members).toEqual(['invoices', 'invoice_line_items']);

    const delivered: Message[] = [];
    for (const [i, unit] of [...units].reverse().entries()) {
      if (i % 3 === 0) {
        // A worker dies after its first checkpoint; another resumes the unit from it.
        let checkpoint: Checkpoint | undefined;
        for await (const m of make().readUnit(unit)) {
          if (m.type === 'checkpoint') {
            checkpoint = m.checkpoint;
            break;
          }
          delivered.push(m);
        }
        delivered.push(...(await collect(make().readUnit(unit, { checkpoint: JSON.parse(JSON.stringify(checkpoint)) }))));
      } else {
        delivered.push(...(await collect(make().readUnit(unit))));
      }
    }
    const tables = applyMessages(delivered);
    expectExact(tables, truth(fake, STREAMS));

    // Then incremental runs start from the plan's checkpoint and replay what changed since plan().
    clock.now += 5_000;
    fake.update('customers', fake.objects('customers')[9]!.id as string, { name: 'After the units' });
    fake.del('customers', fake.objects('customers')[20]!.id as string);
    clock.now += 61_000;
    fake.stats.reset();
    const next = await collect(make().read({ streams: STREAMS, checkpoint: plan.checkpoint }));
    expectExact(applyMessages(next, tables), truth(fake, STREAMS));
    expect(Object.keys(fake.stats.byPath).sort()).toEqual(['/v1/account', '/v1/events']);
  });

  it('refuses what is not a unit, and a checkpoint of another unit', async () => {
    const { source } = await startFake({ records: { customers: 300 } });
    const plan = await source().plan({ streams: ['customers'], unitsPerStream: 2 });
    const [a, b] = plan.units;
    await expect(collect(source().readUnit({ ...a!, gte: 5, lt: 5 }))).rejects.toBeInstanceOf(ConfigError);
    await expect(collect(source().readUnit({ stream: 'customers' } as unknown as WorkUnit))).rejects.toThrow(/not a work unit from plan\(\)/);
    const first = await collect(source().readUnit(a!), 2);
    const checkpoint = (first.find((m) => m.type === 'checkpoint') ?? (await collect(source().readUnit(a!))).find((m) => m.type === 'checkpoint')) as { checkpoint: Checkpoint };
    await expect(collect(source().readUnit(b!, { checkpoint: checkpoint.checkpoint }))).rejects.toBeInstanceOf(CheckpointError);
    await expect(source().plan({ unitsPerStream: 0 })).rejects.toBeInstanceOf(ConfigError);
  });
});
