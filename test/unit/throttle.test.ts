import { getEventListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { afterEach, describe, expect, it } from 'vitest';
import { StripeSourceError } from '../../src/errors.js';
import { maxInWindow, minGap } from '../support/sends.js';
import { AHEAD_PRIORITY, endpointOf, globalPriority, priorityByUnreadPages, SLIDING_SECOND_MS, Throttle, nextRate } from '../../src/http/throttle.js';

describe('endpointOf', () => {
  it.each([
    ['/v1/invoices/in_1AbC/lines', '/v1/invoices/{id}/lines'],
    ['/v1/customers/cus_9s6XKzkNRiz8i3', '/v1/customers/{id}'],
    ['/v1/checkout/sessions/cs_test_a1B2c3/line_items', '/v1/checkout/sessions/{id}/line_items'],
    ['/v1/credit_notes/cn_1Xyz/lines', '/v1/credit_notes/{id}/lines'],
    ['/v1/radar/early_fraud_warnings', '/v1/radar/early_fraud_warnings'],
    ['/v1/checkout/sessions', '/v1/checkout/sessions'],
    ['/v1/subscription_items?subscription=sub_1', '/v1/subscription_items'],
    ['/v1/charges?limit=100&created[gte]=1', '/v1/charges'],
    ['/v1/balance_transactions', '/v1/balance_transactions'],
    ['/v1/events', '/v1/events'],
  ])('%s -> %s', (path, endpoint) => {
    expect(endpointOf(path)).toBe(endpoint);
  });

  it('puts paths that differ only in ids on one endpoint', () => {
    expect(endpointOf('/v1/invoices/in_1/lines')).toBe(endpointOf('/v1/invoices/in_2ZZ/lines'));
  });
});

describe('Throttle', () => {
  const throttles: Throttle[] = [];
  afterEach(async () => {
    await Promise.all(throttles.splice(0).map((t) => t.stop()));
  });



  it('spaces the tasks of one endpoint by its own rate', async () => {
    const throttle = new Throttle({ globalPerSecond: 20, endpointPerSecond: 10 });
    throttles.push(throttle);
    const starts: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        throttle.schedule('/v1/charges', async () => {
          starts.push(performance.now());
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(starts).toHaveLength(10);
    // 10 per second: 100 ms apart, with a little slack for timer rounding. No upper bound: a slow machine may lag.
    expect(minGap(starts)).toBeGreaterThanOrEqual(90);
  });

  it('never lets more than its rate into one sliding second, as Stripe counts (with 10 ms to spare)', async () => {
    // At 25/s the spacing alone is 40 ms (and may run 3% short after a late timer): the 26th send would
    // land 1,000 ms after the first, where Stripe's sliding second still counts the first one.
    const throttle = new Throttle({ globalPerSecond: 100, endpointPerSecond: 25 });
    throttles.push(throttle);
    const starts: number[] = [];
    await Promise.all(Array.from({ length: 30 }, () => throttle.schedule('/v1/charges', async () => void starts.push(performance.now()))));
    expect(maxInWindow(starts, SLIDING_SECOND_MS - 1)).toBeLessThanOrEqual(25);
  });

  it('keeps the global bucket to its rate in any sliding second across endpoints', async () => {
    const throttle = new Throttle({ globalPerSecond: 20, endpointPerSecond: 1000 });
    throttles.push(throttle);
    const starts: number[] = [];
    const endpoints = ['/v1/customers', '/v1/charges', '/v1/refunds'];
    await Promise.all(Array.from({ length: 24 }, (_, i) => throttle.schedule(endpoints[i % 3]!, async () => void starts.push(performance.now()))));
    // The throttle dates a send just before it runs the task, which reads the clock again: a pause of over
    // a millisecond between the two could still fail this (it failed once, when the send was dated at the
    // top of the dispatcher's loop).
    expect(maxInWindow(starts, SLIDING_SECOND_MS - 1)).toBeLessThanOrEqual(20);
  });

  it('spaces two endpoints by the global rate', async () => {
    const throttle = new Throttle({ globalPerSecond: 20, endpointPerSecond: 1000 });
    throttles.push(throttle);
    const starts: Array<{ endpoint: string; at: number }> = [];
    const tasks: Array<Promise<void>> = [];
    for (let i = 0; i < 15; i++) {
      for (const endpoint of ['/v1/customers', '/v1/charges']) {
        tasks.push(throttle.schedule(endpoint, async () => void starts.push({ endpoint, at: performance.now() })));
      }
    }
    await Promise.all(tasks);
    expect(starts).toHaveLength(30);
    // 20 per second across both endpoints: 50 ms apart, whichever endpoint the task belongs to. The floor
    // holds even when timers fire late then on time (under CPU load), so no two sends come closer than 97%.
    expect(minGap(starts.map((s) => s.at))).toBeGreaterThanOrEqual(0.97 * 50 - 1);
    // What Stripe counts: never more than the rate (plus the one a 97% floor allows) in any sliding second.
    expect(maxInWindow(starts.map((s) => s.at), 1000)).toBeLessThanOrEqual(21);
    expect(new Set(starts.map((s) => s.endpoint)).size).toBe(2);
  });

  it('keeps arrival order across endpoints through the global bucket', async () => {
    const throttle = new Throttle({ globalPerSecond: 50, endpointPerSecond: 1000 });
    throttles.push(throttle);
    const order: number[] = [];
    await Promise.all(Array.from({ length: 12 }, (_, i) => throttle.schedule(`/v1/e${i % 3}`, async () => void order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  it('does not hold one endpoint back behind another endpoint’s own limit', async () => {
    // Endpoint A at 5/s starts its 3 tasks 200 ms apart; B's task must not wait for A's spacing.
    const throttle = new Throttle({ globalPerSecond: 1000, endpointPerSecond: 5 });
    throttles.push(throttle);
    const aStarts: number[] = [];
    let bStart = Infinity;
    const a = Array.from({ length: 3 }, () => throttle.schedule('/v1/a', async () => void aStarts.push(performance.now())));
    const b = throttle.schedule('/v1/b', async () => void (bStart = performance.now()));
    await Promise.all([...a, b]);
    // Ordering, not durations: B goes out before A's third task, which is held at least ~400 ms.
    expect(aStarts).toHaveLength(3);
    expect(bStart).toBeLessThan(aStarts[2]!);
  });

  it('gives an endpoint with a deep queue the global slots first (a children fan-out is not starved by the lists)', async () => {
    // Ten list endpoints with three requests each and a fan-out of 24, every endpoint at half the global
    // rate (as Stripe's 25/s against 100/s): in arrival order the fan-out would get one global slot in
    // eleven; its depth lets it take one whenever its own spacing allows.
    const throttle = new Throttle({ globalPerSecond: 40, endpointPerSecond: 20 });
    throttles.push(throttle);
    const order: string[] = [];
    const tasks = [
      ...Array.from({ length: 30 }, (_, i) => throttle.schedule(`/v1/list${i % 10}`, async () => void order.push(`list${i % 10}`))),
      ...Array.from({ length: 24 }, () => throttle.schedule('/v1/setup_attempts', async () => void order.push('fan-out'))),
    ];
    await Promise.all(tasks);
    // Ordering, not durations: arrival order gives the fan-out 1 or 2 of the first 15 sends, priority 5 to 8.
    const fanOutFirst = order.slice(0, 15).filter((name) => name === 'fan-out').length;
    expect(fanOutFirst).toBeGreaterThanOrEqual(4);
    expect(order).toHaveLength(54);
  });

  it('sends a request asked to go ahead before the others already waiting at its endpoint', async () => {
    // A deep second's chain: each of its pages can only be asked for once the one before is in, so every
    // place it waits behind other windows' requests makes the read end later.
    const throttle = new Throttle({ globalPerSecond: 100, endpointPerSecond: 50 });
    throttles.push(throttle);
    const order: string[] = [];
    const tasks = Array.from({ length: 12 }, (_, i) => throttle.schedule('/v1/charges', async () => void order.push(`window${i}`)));
    await tasks[0]; // the queue has formed: eleven wait, 20 ms apart
    tasks.push(throttle.schedule('/v1/charges', async () => void order.push('chain'), { priority: AHEAD_PRIORITY }));
    await Promise.all(tasks);
    // In arrival order it would go thirteenth; ahead, it goes as soon as the one being spaced has left.
    expect(order.indexOf('chain')).toBeLessThanOrEqual(3);
    expect(order).toHaveLength(13);
  });

  it("gives a held page's children the account's slots ahead of list pages, after a chain", async () => {
    // The account's bucket is the bottleneck; list pages of a dozen windows wait for it (their endpoint
    // ranks by depth), then a page's two lines requests and a chain's page arrive.
    const throttle = new Throttle({ globalPerSecond: 50, endpointPerSecond: 1000 });
    throttles.push(throttle);
    const order: string[] = [];
    const tasks = Array.from({ length: 12 }, (_, i) => throttle.schedule('/v1/invoices', async () => void order.push(`list${i}`)));
    await tasks[0];
    tasks.push(
      throttle.schedule('/v1/invoices/in_1/lines', async () => void order.push('lines1'), { completesPage: true }),
      throttle.schedule('/v1/invoices/in_2/lines', async () => void order.push('lines2'), { completesPage: true }),
      throttle.schedule('/v1/charges', async () => void order.push('chain'), { priority: AHEAD_PRIORITY }),
    );
    await Promise.all(tasks);
    // In arrival order they would go 13th to 15th; the chain first, the lines requests next, one after the other.
    const chain = order.indexOf('chain');
    expect(chain).toBeLessThanOrEqual(2);
    expect(order.slice(chain + 1, chain + 3)).toEqual(['lines1', 'lines2']);
    expect(order).toHaveLength(15);
  });

  it('puts windows with more pages left first (1 at 128 or more), the default under 16, never 0', () => {
    expect([1000, 128, 127, 64, 32, 16, 15, 0, Infinity, Number.NaN].map(priorityByUnreadPages)).toEqual([1, 1, 2, 2, 3, 4, 5, 5, 1, 5]);
  });

  it('keeps at most maxInFlight requests unanswered, and lets the next go as one is answered', async () => {
    // A rate alone lets requests pile up when the server slows down: here every answer takes 30 ms, and
    // at 1,000/s forty requests would all be out before the first is answered.
    const throttle = new Throttle({ globalPerSecond: 1000, endpointPerSecond: 1000, maxInFlight: 3 });
    throttles.push(throttle);
    let open = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        throttle.schedule(`/v1/e${i % 4}`, async () => {
          open += 1;
          most = Math.max(most, open);
          await new Promise((resolve) => setTimeout(resolve, 30));
          open -= 1;
          return i;
        }),
      ),
    );
    expect(results).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(most).toBe(3);
  });

  it('counts a failed request out of the in-flight ones', async () => {
    const throttle = new Throttle({ globalPerSecond: 1000, endpointPerSecond: 1000, maxInFlight: 1 });
    throttles.push(throttle);
    const first = throttle.schedule('/v1/x', async () => Promise.reject(new Error('boom')));
    const second = throttle.schedule('/v1/x', async () => 'next');
    await expect(first).rejects.toThrow('boom');
    await expect(second).resolves.toBe('next');
  });

  it('takes a waiting request out when its signal aborts: it never runs and rejects with the reason', async () => {
    // At 5/s the requests behind the first wait 200 ms each; an aborted read must not send them one by one.
    const throttle = new Throttle({ globalPerSecond: 100, endpointPerSecond: 5 });
    throttles.push(throttle);
    const controller = new AbortController();
    const ran: number[] = [];
    const tasks = Array.from({ length: 5 }, (_, i) => throttle.schedule('/v1/charges', async () => void ran.push(i), { signal: controller.signal }));
    await tasks[0];
    const reason = new Error('stopped by the host');
    controller.abort(reason);
    const settled = await Promise.allSettled(tasks.slice(1));
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    expect(settled.map((s) => (s as PromiseRejectedResult).reason)).toEqual([reason, reason, reason, reason]);
    expect(ran).toEqual([0]);
    expect(throttle.waiting('/v1/charges')).toBe(0);
    await expect(throttle.schedule('/v1/charges', async () => 1, { signal: controller.signal })).rejects.toBe(reason);
  });

  it('stop() fails what waits with a typed error and refuses new requests', async () => {
    const throttle = new Throttle({ globalPerSecond: 100, endpointPerSecond: 5 });
    const ran: number[] = [];
    const tasks = Array.from({ length: 3 }, (_, i) => throttle.schedule('/v1/charges', async () => void ran.push(i)));
    await tasks[0];
    await throttle.stop();
    const settled = await Promise.allSettled(tasks.slice(1));
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect((s as PromiseRejectedResult).reason).toBeInstanceOf(StripeSourceError);
    }
    await expect(throttle.schedule('/v1/charges', async () => 1)).rejects.toThrow('The throttle was stopped.');
    expect(ran).toEqual([0]);
  });

  it('applies a rate cut to the very next send of the endpoint', async () => {
    // The next send's time was set at the old spacing when the last one left: a 429 must slow that one too.
    const throttle = new Throttle({ globalPerSecond: 1000, endpointPerSecond: 10 });
    throttles.push(throttle);
    const starts: number[] = [];
    const tasks = Array.from({ length: 4 }, () => throttle.schedule('/v1/charges', async () => void starts.push(performance.now())));
    await tasks[0];
    throttle.penalize('/v1/charges', 'endpoint-rate', performance.now());
    expect(throttle.rates('/v1/charges').endpoint).toBe(9);
    await Promise.all(tasks);
    // 9 per second: 111 ms apart, at least 97% of it.
    expect(minGap(starts)).toBeGreaterThanOrEqual(0.97 * (1000 / 9) - 1);
  });

  it('reads a priority the way bottleneck does, in the queue and for the global slot alike (-1 is 0: ahead)', async () => {
    const throttle = new Throttle({ globalPerSecond: 20, endpointPerSecond: 1000 });
    throttles.push(throttle);
    const order: string[] = [];
    const first = throttle.schedule('/v1/x', async () => void order.push('first'));
    await first;
    // Three endpoints wait for the next global slot: -1 goes ahead as 0 would, before older requests.
    const tasks = [
      throttle.schedule('/v1/a', async () => void order.push('a')),
      throttle.schedule('/v1/b', async () => void order.push('b')),
      throttle.schedule('/v1/c', async () => void order.push('c'), { priority: -1 }),
    ];
    await Promise.all(tasks);
    expect(order).toEqual(['first', 'c', 'a', 'b']);
  });

  it('leaves no timer and no abort listener behind once nothing waits', async () => {
    // At 0.2/s the second request waits 5 s: after the abort nothing may keep the process alive that long,
    // and a host's long-lived signal must not keep the throttle reachable.
    const throttle = new Throttle({ globalPerSecond: 100, endpointPerSecond: 0.2 });
    throttles.push(throttle);
    const timers = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const controller = new AbortController();
    const tasks = Array.from({ length: 2 }, () => throttle.schedule('/v1/slow', async () => 1, { signal: controller.signal }));
    await tasks[0];
    expect(timers()).toBe(before + 1);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('host stopped'));
    await expect(tasks[1]).rejects.toThrow('host stopped');
    expect(timers()).toBe(before);

    const kept = new AbortController();
    await throttle.schedule('/v1/other', async () => 1, { signal: kept.signal });
    expect(getEventListeners(kept.signal, 'abort')).toHaveLength(0);
  });

  it('passes on a task’s rejection', async () => {
    const throttle = new Throttle({ globalPerSecond: 100, endpointPerSecond: 100 });
    throttles.push(throttle);
    await expect(throttle.schedule('/v1/x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});

describe('globalPriority', () => {
  it('moves endpoints with more requests waiting ahead (0 first, 5 the default), never past 1', () => {
    expect(globalPriority(0)).toBe(5);
    expect(globalPriority(7)).toBe(5);
    expect(globalPriority(8)).toBe(4);
    expect(globalPriority(16)).toBe(3);
    expect(globalPriority(32)).toBe(2);
    expect(globalPriority(64)).toBe(1);
    expect(globalPriority(10_000)).toBe(1);
    for (let n = 1; n < 200; n++) expect(globalPriority(n)).toBeLessThanOrEqual(globalPriority(n - 1));
  });
});

describe('adaptive rate (AIMD)', () => {
  it('nextRate cuts by 10% on a 429 at 90% of the ceiling or more, by 30% below, gives back 5% of the ceiling per quiet second, within [10%, 100%]', () => {
    expect(nextRate({ current: 100, ceiling: 100, signal: 'rate_limited' })).toBe(90);
    expect(nextRate({ current: 90, ceiling: 100, signal: 'rate_limited' })).toBe(81);
    expect(nextRate({ current: 81, ceiling: 100, signal: 'rate_limited' })).toBeCloseTo(56.7, 10);
    expect(nextRate({ current: 11, ceiling: 100, signal: 'rate_limited' })).toBe(10);
    expect(nextRate({ current: 70, ceiling: 100, signal: 'quiet' })).toBe(75);
    expect(nextRate({ current: 99, ceiling: 100, signal: 'quiet' })).toBe(100);
  });

  it('a global-rate 429 slows the global bucket, an endpoint-rate one only that endpoint; quiet seconds restore them', () => {
    const throttle = new Throttle({ globalPerSecond: 100, endpointPerSecond: 25 });
    throttle.penalize('/v1/charges', 'endpoint-rate', 1_000);
    expect(throttle.rates('/v1/charges')).toEqual({ global: 100, endpoint: 22.5 });
    expect(throttle.rates('/v1/customers').endpoint).toBe(25);
    // A burst of 429s from requests already in flight counts once.
    throttle.penalize('/v1/charges', 'endpoint-rate', 1_100);
    expect(throttle.rates('/v1/charges').endpoint).toBe(22.5);
    // 429s that go on after the first cut cut harder.
    throttle.penalize('/v1/charges', 'endpoint-rate', 1_600);
    expect(throttle.rates('/v1/charges').endpoint).toBe(20.25);
    throttle.penalize('/v1/charges', 'endpoint-rate', 2_200);
    expect(throttle.rates('/v1/charges').endpoint).toBeCloseTo(14.175, 10);
    throttle.penalize('/v1/charges', 'global-rate', 1_200);
    expect(throttle.rates('/v1/charges').global).toBe(90);
    throttle.recover(1_500);
    expect(throttle.rates('/v1/charges').global).toBe(90);
    throttle.recover(2_700);
    expect(throttle.rates('/v1/charges').global).toBe(95);
    throttle.recover(3_300);
    expect(throttle.rates('/v1/charges').endpoint).toBeCloseTo(15.425, 10);
    for (let t = 3_400; t < 20_000; t += 1_100) throttle.recover(t);
    expect(throttle.rates('/v1/charges')).toEqual({ global: 100, endpoint: 25 });
  });
});
