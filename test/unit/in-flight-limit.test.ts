import { afterEach, describe, expect, it } from 'vitest';
import { BUSY, IDLE, nextInFlightLimit, SAMPLE_MS, STEP } from '../../src/http/in-flight-limit.js';
import { MAX_REQUESTS_IN_FLIGHT, MIN_REQUESTS_IN_FLIGHT, Throttle } from '../../src/http/throttle.js';

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

  it('starts at MAX_REQUESTS_IN_FLIGHT and keeps MIN_REQUESTS_IN_FLIGHT below it by default', () => {
    const throttle = new Throttle({ globalPerSecond: 100, endpointPerSecond: 25 });
    throttles.push(throttle);
    expect(throttle.inFlightLimit).toBe(MAX_REQUESTS_IN_FLIGHT);
    expect(MIN_REQUESTS_IN_FLIGHT).toBeLessThan(MAX_REQUESTS_IN_FLIGHT);
  });

  it('keeps a fixed limit when the floor is the ceiling', async () => {
    const throttle = new Throttle({ globalPerSecond: 100_000, endpointPerSecond: 100_000, maxInFlight: 8 });
    throttles.push(throttle);
    await until(throttle, { answer: async () => spin(5), done: () => false, seconds: (2.5 * SAMPLE_MS) / 1000, overLimit: [] });
    expect(throttle.inFlightLimit).toBe(8);
  });
});
