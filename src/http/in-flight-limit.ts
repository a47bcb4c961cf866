/**
 * How many requests may be out at once, following how busy the event loop is.
 *
 * Why: requests in flight only pay while the process waits for the network. When the loop is busy
 * already (the server answers faster than the process parses, or the host keeps the loop busy with work
 * of its own), more requests in flight add no records per second: their answers queue at the server and
 * in socket buffers, and the pages whose children are still on the way stay alive meanwhile. In bench (d)
 * (a local server without limits or latency) 100 requests out kept each child request ~100 ms behind the
 * page requests queued before it; the parent page waited for it, outlived two young collections and was
 * promoted, and garbage collection took about twice the CPU of the `stripe` pager's. Against Stripe, whose
 * round trips take a few hundred ms and whose rates cap the pace, the loop is mostly idle and the limit
 * stays at its ceiling; a host that keeps the loop busy with work of its own keeps what the pace needs
 * (`inFlightFloor`).
 *
 * Additive increase, multiplicative decrease, on the loop's utilization over the last sample
 * (`performance.eventLoopUtilization`): a loop busy `BUSY` of the time or more lowers the limit by a
 * quarter, down to `floor`; one busy less than `IDLE` raises it by `STEP`, up to `ceiling`; in between it
 * holds.
 */

/** A loop busy this share of the time or more has no use for more requests in flight. */
export const BUSY = 0.9;
/** A loop busy less than this share waits for the network: more requests in flight may pay. */
export const IDLE = 0.75;
/** Requests added per idle sample. */
export const STEP = 4;
/** The share kept per busy sample. */
export const DECREASE = 0.75;
/** Milliseconds of loop time per sample: long enough that one collection or one large page does not decide. */
export const SAMPLE_MS = 100;

/**
 * How far above the round trip the floor's estimate reaches: list round trips at Stripe run from about
 * 100 ms for an empty page to over a second in the tail, and the in-flight requests a pace needs follow
 * the mean, about three times the least.
 */
export const ROUND_TRIP_SPREAD = 4;

/**
 * The fewest requests to keep in flight at the pace the read has now: completions per second times the
 * least round trip seen (Little's law), times `ROUND_TRIP_SPREAD`, within [floor, ceiling]. A busy loop
 * must not starve a read whose answers take their time: a host whose own work keeps the loop busy while
 * reading Stripe at 100 requests a second (100 ms at least each) keeps 40. Against a server that answers
 * in a millisecond or two, the least round trip stays small however deep its queue grows (it was seen
 * before the queue built up), and the floor with it.
 */
export function inFlightFloor(options: { completionsPerSecond: number; minRoundTripMs: number; floor: number; ceiling: number }): number {
  const { completionsPerSecond, minRoundTripMs, floor, ceiling } = options;
  const needed = Math.ceil(completionsPerSecond * (minRoundTripMs / 1000) * ROUND_TRIP_SPREAD);
  if (!Number.isFinite(needed)) return floor; // nothing completed yet: nothing to go by
  return Math.min(ceiling, Math.max(floor, needed));
}

export function nextInFlightLimit(options: { limit: number; utilization: number; floor: number; ceiling: number }): number {
  const { limit, utilization, floor, ceiling } = options;
  if (!(utilization >= 0)) return limit; // NaN: no loop time measured, nothing to go by
  if (utilization >= BUSY) return Math.max(floor, Math.min(ceiling, Math.floor(limit * DECREASE)));
  if (utilization < IDLE) return Math.min(ceiling, Math.max(floor, limit + STEP));
  return Math.max(floor, Math.min(ceiling, limit));
}
