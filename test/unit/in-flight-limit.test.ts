import { afterEach, describe, expect, it } from 'vitest';
import { BUSY, IDLE, inFlightFloor, nextInFlightLimit, ROUND_TRIP_SPREAD, STEP } from '../../src/http/in-flight-limit.js';
import { MAX_REQUESTS_IN_FLIGHT, MIN_PAGES_WHILE_LOOP_BUSY, MIN_REQUESTS_IN_FLIGHT, Throttle } from '../../src/http/throttle.js';

const bounds = { floor: 16, ceiling: 100 };

describe('nextInFlightLimit', () => {
  it('takes a quarter off while the loop is busy, down to the floor', () => {
    expect(nextInFlightLimit({ ...bounds, limit: 100, utilization: BUSY })).toBe(75);
    expect(nextInFlightLimit({ ...bounds, limit: 75, utilization: 1 })).toBe(56);
    expect(nextInFlightLimit({ ...bounds, limit: 20, utilization: 0.99 })).toBe(16);
    expect(nextInFlightLimit({ ...bounds, limit: 16, utilization: 1 })).toBe(16);
  });

  it('adds a step while the loop waits, up to the ceiling', () => {
    expect(nextInFlightLimit({ ...bounds, limit: 16, utilization: 0 })).toBe(16 + STEP);
    expect(nextInFlightLimit({ ...bounds, limit: 40, utilization: IDLE - 0.01 })).toBe(40 + STEP);
    expect(nextInFlightLimit({ ...bounds, limit: 98, utilization: 0.1 })).toBe(100);
    expect(nextInFlightLimit({ ...bounds, limit: 100, utilization: 0.1 })).toBe(100);
  });

  it('holds between idle and busy, and when nothing was measured', () => {
    expect(nextInFlightLimit({ ...bounds, limit: 40, utilization: IDLE })).toBe(40);
    expect(nextInFlightLimit({ ...bounds, limit: 40, utilization: (IDLE + BUSY) / 2 })).toBe(40);
    expect(nextInFlightLimit({ ...bounds, limit: 40, utilization: Number.NaN })).toBe(40);
  });

  it('never leaves [floor, ceiling]', () => {
    for (const limit of [0, 1, 16, 50, 100, 500]) {
      for (const utilization of [0, 0.5, 0.8, 0.95, 1]) {
        const next = nextInFlightLimit({ ...bounds, limit, utilization });
        expect(next).toBeGreaterThanOrEqual(bounds.floor);
        expect(next).toBeLessThanOrEqual(bounds.ceiling);
      }
    }
  });
});

describe('inFlightFloor', () => {
  it("keeps what the read's pace needs at its least round trip, with room for the spread", () => {
    // Stripe at 100 requests/s, 100 ms at least each: 10 out on average at the least, 40 kept.
    expect(inFlightFloor({ ...bounds, completionsPerSecond: 100, minRoundTripMs: 100 })).toBe(10 * ROUND_TRIP_SPREAD);
    // A local server answering in 1.5 ms, 1,100 a second: nothing beyond the floor.
    expect(inFlightFloor({ ...bounds, completionsPerSecond: 1100, minRoundTripMs: 1.5 })).toBe(16);
    expect(inFlightFloor({ ...bounds, completionsPerSecond: 100, minRoundTripMs: 1000 })).toBe(100);
  });

  it('is the floor until something has completed', () => {
    expect(inFlightFloor({ ...bounds, completionsPerSecond: 0, minRoundTripMs: Infinity })).toBe(16);
    expect(inFlightFloor({ ...bounds, completionsPerSecond: Number.NaN, minRoundTripMs: 100 })).toBe(16);
  });

  it('lifts a limit that a busy loop would take below it', () => {
    const floor = inFlightFloor({ ...bounds, completionsPerSecond: 100, minRoundTripMs: 100 });
    expect(nextInFlightLimit({ floor, ceiling: 100, limit: 20, utilization: 1 })).toBe(floor);
  });
});

describe('Throttle: requests in flight follow the event loop', () => {
  const throttles: Throttle[] = [];
  afterEach(async () => {
    await Promise.all(throttles.splice(0).map((t) => t.stop()));
  });

  /** Keeps the loop busy for `ms` (a host, or a parser, with work of its own). */
  const spin = (ms: number): void => {
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy on purpose
    }
  };

  /**
   * Runs rounds of requests until `done()` holds, for at most `seconds`; each request's answer takes
   * `answer`. Spins only as long as the test needs: other files run beside it.
   */
  async function until(throttle: Throttle, options: { answer: () => Promise<void>; done: () => boolean; seconds: number; overLimit: number[] }): Promise<void> {
    let open = 0;
    const deadline = performance.now() + options.seconds * 1000;
    while (!options.done() && performance.now() < deadline) {
      await Promise.all(Array.from({ length: 40 }, () =>
        throttle.schedule('/v1/charges', async () => {
          open += 1;
          if (open > throttle.inFlightLimit) options.overLimit.push(open);
          try {
            await options.answer();
          } finally {
            open -= 1;
          }
        })));
    }
  }

  /** Runs `work` while a host's own work (20 ms at every tick) keeps the loop busy. */
  async function whileHostBusy(work: () => Promise<void>): Promise<void> {
    const host = setInterval(() => spin(20), 1);
    try {
      await work();
    } finally {
      clearInterval(host);
    }
  }

  it('lets fewer requests out while the loop is busy, down to its floor, and more again once the loop waits', async () => {
    const throttle = new Throttle({ globalPerSecond: 100_000, endpointPerSecond: 100_000, maxInFlight: 24, minInFlight: 12 });
    throttles.push(throttle);
    expect(throttle.inFlightLimit).toBe(24);
    const overLimit: number[] = [];
    // Answers that each take 5 ms of the loop's own time: busy sample after busy sample (24, 18, 13, 12).
    await until(throttle, { answer: async () => spin(5), done: () => throttle.inFlightLimit === 12, seconds: 5, overLimit });
    expect(throttle.inFlightLimit).toBe(12);
    // Answers that take 20 ms of waiting: the loop is idle, and the limit climbs back a step per sample.
    await until(throttle, { answer: () => new Promise((resolve) => setTimeout(resolve, 20)), done: () => throttle.inFlightLimit >= 20, seconds: 5, overLimit });
    expect(throttle.inFlightLimit).toBeGreaterThanOrEqual(20);
    expect(overLimit).toEqual([]);
  });

  it('caps pages out at half the in-flight limit while the loop is saturated, and not at all while it has room', async () => {
    const throttle = new Throttle({ globalPerSecond: 100_000, endpointPerSecond: 100_000, maxInFlight: 40, minInFlight: 20 });
    throttles.push(throttle);
    expect(throttle.pageCap()).toBe(Infinity);
    const overLimit: number[] = [];
    await until(throttle, { answer: async () => spin(5), done: () => throttle.inFlightLimit === 20, seconds: 5, overLimit });
    expect(throttle.pageCap()).toBe(10);
    await until(throttle, { answer: () => new Promise((resolve) => setTimeout(resolve, 20)), done: () => throttle.inFlightLimit === 40, seconds: 5, overLimit });
    expect(throttle.pageCap()).toBe(Infinity);
    expect(overLimit).toEqual([]);
  });

  it('never caps pages below MIN_PAGES_WHILE_LOOP_BUSY, and not at all when the in-flight limit cannot move', async () => {
    const low = new Throttle({ globalPerSecond: 100_000, endpointPerSecond: 100_000, maxInFlight: 12, minInFlight: 8 });
    const fixed = new Throttle({ globalPerSecond: 100_000, endpointPerSecond: 100_000, maxInFlight: 12, minInFlight: 12 });
    throttles.push(low, fixed);
    const overLimit: number[] = [];
    // One busy sample takes the limit under 12; half of anything under 12 is under the minimum.
    await until(low, { answer: async () => spin(5), done: () => low.inFlightLimit < 12, seconds: 5, overLimit });
    expect(low.pageCap()).toBe(MIN_PAGES_WHILE_LOOP_BUSY);
    // A limit that cannot move is always at its ceiling.
    expect(fixed.pageCap()).toBe(Infinity);
  });

  it('never caps pages against a server whose answers take their time, however busy the loop', async () => {
    // A page holds its place longer than its request (25 ms): its children and the consumer take another
    // 125 ms. Were pages capped at half of what the pace needs, the pace would fall, the floor with it,
    // and the cap with that: 20, 13, 9, 8 pages out instead of 40.
    const throttle = new Throttle({ globalPerSecond: 100_000, endpointPerSecond: 100_000 });
    throttles.push(throttle);
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const caps: number[] = [];
    await whileHostBusy(() => new Promise<void>((done) => {
      const deadline = performance.now() + 1500;
      let out = 0;
      const next = (): void => {
        if (performance.now() >= deadline) {
          if (out === 0) done();
          return;
        }
        const cap = throttle.pageCap();
        caps.push(cap);
        while (out < Math.min(40, cap)) {
          out += 1;
          void throttle.schedule('/v1/invoices', () => sleep(25)).then(() => sleep(125)).then(() => {
            out -= 1;
            next();
          });
        }
      };
      next();
    }));
    // The loop was busy: the in-flight limit fell (and would have capped pages against a nearer server).
    expect(throttle.inFlightLimit).toBeLessThan(MAX_REQUESTS_IN_FLIGHT);
    expect(Math.min(...caps)).toBe(Infinity);
  });

  it('starts at MAX_REQUESTS_IN_FLIGHT and keeps MIN_REQUESTS_IN_FLIGHT below it by default', () => {
    const throttle = new Throttle({ globalPerSecond: 100, endpointPerSecond: 25 });
    throttles.push(throttle);
    expect(throttle.inFlightLimit).toBe(MAX_REQUESTS_IN_FLIGHT);
    expect(MIN_REQUESTS_IN_FLIGHT).toBeLessThan(MAX_REQUESTS_IN_FLIGHT);
  });

  it('keeps what the pace needs while answers take their time, however busy the loop', async () => {
    // 24 out, 30 ms each at the least: about 800 answers a second need 24 in flight (96 with the spread).
    const throttle = new Throttle({ globalPerSecond: 100_000, endpointPerSecond: 100_000, maxInFlight: 24, minInFlight: 12 });
    throttles.push(throttle);
    const overLimit: number[] = [];
    await whileHostBusy(() => until(throttle, { answer: () => new Promise((resolve) => setTimeout(resolve, 30)), done: () => false, seconds: 0.8, overLimit }));
    expect(throttle.inFlightLimit).toBe(24);
    expect(overLimit).toEqual([]);
  });

  it('never goes below one request in flight, so what waits still goes', async () => {
    const throttle = new Throttle({ globalPerSecond: 100_000, endpointPerSecond: 100_000, maxInFlight: 4, minInFlight: 0 });
    throttles.push(throttle);
    const overLimit: number[] = [];
    // Answers come at once (the least round trip asks for no floor) while the host's own work keeps the loop busy.
    await whileHostBusy(async () => {
      await until(throttle, { answer: async () => undefined, done: () => throttle.inFlightLimit === 1, seconds: 5, overLimit });
      expect(throttle.inFlightLimit).toBe(1);
      // Busy still: a limit of 0 would leave these waiting for good.
      await until(throttle, { answer: async () => undefined, done: () => false, seconds: 0.3, overLimit });
    });
    expect(throttle.inFlightLimit).toBe(1);
    expect(overLimit).toEqual([]);
  });
});
