import { describe, it } from 'vitest';

/** The Redis that .ci/run starts (redis://127.0.0.1:PORT), if any. */
export const REDIS_URL = process.env.REDIS_URL;

/**
 * A describe block that needs Redis. Without REDIS_URL a plain `npm test` reports its tests as skipped;
 * under CI, where .ci/run installs and starts Redis, a missing one fails instead, so the tests cannot
 * silently vanish.
 */
export function describeRedis(name: string, body: () => void): void {
  if (REDIS_URL) describe(name, body);
  else if (process.env.CI) {
    describe(name, () => {
      it('has a Redis to run against', () => {
        throw new Error('REDIS_URL is not set: .ci/run starts redis-server and exports it; see .ci/redis.sh.');
      });
    });
  } else describe.skip(name, body);
}

export { maxInWindow, minGap } from '../support/sends.js';

/** A budget key of its own for each test, so runs never share buckets. */
export function freshKey(name: string): string {
  return `test-${name}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
