import { describe, expect, it } from 'vitest';
import { PageBudget, type Permit } from '../../src/read/page-budget.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('PageBudget', () => {
  it('grants up to its capacity at once, then one permit per release, first come first served', async () => {
    const budget = new PageBudget({ capacity: 2 });
    const a = await budget.acquire();
    const b = await budget.acquire();
    const order: string[] = [];
    const c = budget.acquire().then((p) => (order.push('c'), p));
    const d = budget.acquire().then((p) => (order.push('d'), p));
    await tick();
    expect(order).toEqual([]);
    expect(budget.held).toBe(2);
    expect(budget.waiting).toBe(2);
    a.release();
    await tick();
    expect(order).toEqual(['c']);
    b.release();
    await tick();
    expect(order).toEqual(['c', 'd']);
    expect(budget.held).toBe(2);
    (await c).release();
    (await d).release();
    expect(budget.held).toBe(0);
  });

  it('a released permit goes to a waiter, not to a newcomer that asks in the same tick', async () => {
    const budget = new PageBudget({ capacity: 1 });
    const first = await budget.acquire();
    const order: string[] = [];
    void budget.acquire().then((p) => (order.push('waiter'), p.release()));
    first.release();
    void budget.acquire().then((p) => (order.push('newcomer'), p.release()));
    await tick();
    await tick();
    expect(order).toEqual(['waiter', 'newcomer']);
    expect(budget.held).toBe(0);
  });

  it('serves urgent waiters before the others, each queue in arrival order', async () => {
    const budget = new PageBudget({ capacity: 1 });
    const first = await budget.acquire();
    const order: string[] = [];
    const take = (name: string, urgent: boolean): Promise<void> => budget.acquire(urgent).then((p) => {
      order.push(name);
      p.release();
    });
    const all = [take('a', false), take('b', true), take('c', false), take('d', true)];
    first.release();
    await Promise.all(all);
    expect(order).toEqual(['b', 'd', 'a', 'c']);
    expect(budget.held).toBe(0);
  });

  it('releasing a permit twice gives back one place only', async () => {
    const budget = new PageBudget({ capacity: 1 });
    const permit = await budget.acquire();
    permit.release();
    permit.release();
    expect(budget.held).toBe(0);
    const again = await budget.acquire();
    let third = false;
    void budget.acquire().then(() => (third = true));
    await tick();
    expect(third).toBe(false);
    again.release();
    await tick();
    expect(third).toBe(true);
  });

  it('close fails every waiter and later acquire, and releases after it do not throw', async () => {
    const budget = new PageBudget({ capacity: 1 });
    const held = await budget.acquire();
    const waiting = budget.acquire();
    const stop = new Error('stopped');
    budget.close(stop);
    await expect(waiting).rejects.toBe(stop);
    await expect(budget.acquire()).rejects.toBe(stop);
    held.release();
    expect(budget.held).toBe(0);
  });

  it('never holds more than its capacity with many readers that each prefetch one page (no deadlock)', async () => {
    const capacity = 5;
    const budget = new PageBudget({ capacity });
    const channel: Permit[] = [];
    let maxHeld = 0;
    // 12 readers, each holding one page while it asks for the next (a prefetch), 10 pages each.
    const readers = Array.from({ length: 12 }, async () => {
      let current = await budget.acquire();
      for (let page = 0; page < 10; page++) {
        const next = page < 9 ? budget.acquire() : undefined;
        maxHeld = Math.max(maxHeld, budget.held);
        channel.push(current); // handed to the consumer
        if (!next) return;
        current = await next;
      }
    });
    let consumed = 0;
    const done = Promise.all(readers).then(() => 'done');
    while (consumed < 120) {
      const permit = channel.shift();
      if (permit) {
        permit.release();
        consumed += 1;
      } else {
        await tick();
      }
    }
    expect(await done).toBe('done');
    expect(maxHeld).toBeLessThanOrEqual(capacity);
    expect(budget.held).toBe(0);
  });

  it('grants no permit while arrivedCapacity pages have arrived, however many requests are free', async () => {
    const budget = new PageBudget({ capacity: 10, arrivedCapacity: 2 });
    const a = await budget.acquire();
    const b = await budget.acquire();
    const c = await budget.acquire(); // requested, not arrived: the request cap alone applies
    a.arrived();
    b.arrived();
    b.arrived(); // a second call counts once
    expect(budget.arrived).toBe(2);
    let granted = false;
    const d = budget.acquire().then((p) => ((granted = true), p));
    await tick();
    expect(granted).toBe(false);
    c.release(); // a page not arrived frees a request place, but two pages still wait
    await tick();
    expect(granted).toBe(false);
    a.release();
    await tick();
    expect(granted).toBe(true);
    b.release();
    (await d).release();
    expect(budget.held).toBe(0);
    expect(budget.arrived).toBe(0);
  });

  it('grants no more permits than its cap allows, asking it at every grant, and at least one', async () => {
    let cap = 2;
    const budget = new PageBudget({ capacity: 8, cap: () => cap });
    const a = await budget.acquire();
    const b = await budget.acquire();
    let granted = 0;
    const more = [budget.acquire(), budget.acquire(), budget.acquire()].map((p) => p.then((permit) => ((granted += 1), permit)));
    await tick();
    expect(granted).toBe(0);
    expect(budget.held).toBe(2);
    // The cap rises: the waiters go at the next release, up to the new cap and no further (one given back,
    // three waiting: 1 + 3 would be 5 out, the cap lets 4).
    cap = 4;
    a.release();
    await tick();
    expect(granted).toBe(3);
    expect(budget.held).toBe(4);
    // The cap falls below what is out: nothing more goes until releases bring it under.
    cap = 2;
    let fourth = false;
    const late = budget.acquire().then((p) => ((fourth = true), p));
    b.release();
    await tick();
    expect(fourth).toBe(false);
    const [c, d, e] = await Promise.all(more);
    c!.release();
    await tick();
    expect(fourth).toBe(false);
    d!.release();
    await tick();
    expect(fourth).toBe(true);
    e!.release();
    (await late).release();
    expect(budget.held).toBe(0);
    // A cap of 0, or one that is not a number, still leaves one permit out, or nothing would ever be read again.
    for (const none of [0, Number.NaN]) {
      cap = none;
      const only = await budget.acquire();
      let second = false;
      const next = budget.acquire().then((p) => ((second = true), p));
      await tick();
      expect(second).toBe(false);
      only.release();
      (await next).release();
      expect(second).toBe(true);
    }
  });

  it('many prefetching readers and a slow consumer finish, never holding more than capacity (no deadlock)', async () => {
    const budget = new PageBudget({ capacity: 8, arrivedCapacity: 3 });
    const channel: Permit[] = [];
    let maxArrived = 0;
    const readers = Array.from({ length: 6 }, async () => {
      let current = await budget.acquire();
      for (let page = 0; page < 8; page++) {
        current.arrived();
        maxArrived = Math.max(maxArrived, budget.arrived);
        const next = page < 7 ? budget.acquire() : undefined;
        channel.push(current);
        if (!next) return;
        current = await next;
      }
    });
    const done = Promise.all(readers).then(() => 'done');
    for (let consumed = 0; consumed < 48; ) {
      const permit = channel.shift();
      if (permit) {
        await tick(); // slow
        permit.release();
        consumed += 1;
      } else {
        await tick();
      }
    }
    expect(await done).toBe('done');
    // Requests granted before three pages had arrived may still arrive: the hard bound is `capacity`.
    expect(maxArrived).toBeLessThanOrEqual(8);
    expect(budget.held).toBe(0);
    expect(budget.arrived).toBe(0);
  });

  it('while pages queue up for the consumer, holds no more than slowConsumerCapacity, however the arrived pages dip', async () => {
    const budget = new PageBudget({ capacity: 12, arrivedCapacity: 6, slowConsumerCapacity: 3 });
    const queue: Permit[] = [];
    let maxHeld = 0;
    // Eight readers that each want a page at a time, their pages landing at once (no latency): the consumer
    // is the bottleneck.
    const readers = Array.from({ length: 8 }, async () => {
      for (let page = 0; page < 10; page++) {
        const permit = await budget.acquire();
        maxHeld = Math.max(maxHeld, budget.held);
        permit.arrived();
        queue.push(permit);
      }
    });
    const done = Promise.all(readers);
    const heldLate: number[] = [];
    for (let consumed = 0; consumed < 80; consumed += 1) {
      while (queue.length === 0) await tick();
      budget.consumerTakes(queue.length);
      queue.shift()!.release();
      if (consumed >= 40) heldLate.push(budget.held);
      await tick();
    }
    await done;
    // At first pages go out up to capacity (the consumer has not shown it is slow yet); once it has, held
    // pages stay at slowConsumerCapacity: a dip below the arrived cap used to let every waiter through.
    expect(maxHeld).toBe(12);
    expect(Math.max(...heldLate)).toBeLessThanOrEqual(3);
    expect(budget.limitNow).toBe(3);
    expect(budget.held).toBe(0);
  });

  it('grows back towards capacity as soon as the consumer finds no page waiting', async () => {
    const budget = new PageBudget({ capacity: 12, slowConsumerCapacity: 4 });
    for (let i = 0; i < 20; i++) budget.consumerTakes(5);
    expect(budget.limitNow).toBe(4);
    budget.consumerTakes(0);
    expect(budget.limitNow).toBe(8);
    budget.consumerTakes(1); // fewer than half of slowConsumerCapacity waiting: no verdict
    expect(budget.limitNow).toBe(8);
    for (let i = 0; i < 4; i++) budget.consumerTakes(2);
    expect(budget.limitNow).toBe(4);
    const permits = await Promise.all(Array.from({ length: 4 }, () => budget.acquire()));
    let granted = 0;
    const waiting = Array.from({ length: 6 }, () => budget.acquire().then((p) => ((granted += 1), p)));
    await tick();
    expect(granted).toBe(0);
    budget.consumerTakes(0); // the consumer waits: waiters are granted in the same call, not at the next release
    await tick();
    expect(budget.limitNow).toBe(8);
    expect(granted).toBe(4);
    budget.consumerTakes(0);
    expect(budget.limitNow).toBe(12);
    await tick();
    expect(granted).toBe(6);
    budget.consumerTakes(0);
    expect(budget.limitNow).toBe(12); // never beyond capacity
    for (const p of [...permits, ...(await Promise.all(waiting))]) p.release();
    expect(budget.held).toBe(0);
  });

  it('with a slow consumer keeps out what covers its pace over a round trip, and shrinks to the floor once round trips are short', async () => {
    let clock = 0;
    const budget = new PageBudget({ capacity: 64, slowConsumerCapacity: 8, now: () => clock });
    // Pages take 200 ms from permit to arrival (Stripe's latency, the throttle's queue); the consumer takes
    // one every 10 ms with a queue waiting: 200 ms / 10 ms = 20 pages keep it busy.
    const trip = async (ms: number): Promise<void> => {
      const permit = await budget.acquire();
      clock += ms;
      permit.arrived();
      permit.release();
    };
    for (let i = 0; i < 16; i++) await trip(200);
    for (let i = 0; i < 100; i++) {
      clock += 10;
      budget.consumerTakes(6);
    }
    expect(budget.limitNow).toBe(20);
    // Round trips of a millisecond (a local fake, no latency): the pace covers less than the floor.
    for (let i = 0; i < 16; i++) await trip(1);
    for (let i = 0; i < 20; i++) {
      clock += 10;
      budget.consumerTakes(6);
    }
    expect(budget.limitNow).toBe(8);
  });

  it('refuses a capacity below one', () => {
    expect(() => new PageBudget({ capacity: 0 })).toThrow(RangeError);
    expect(() => new PageBudget({ capacity: 4, arrivedCapacity: 0 })).toThrow(RangeError);
    expect(() => new PageBudget({ capacity: 4, slowConsumerCapacity: 1.5 })).toThrow(/slowConsumerCapacity/);
  });
});
