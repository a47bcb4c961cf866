/** Request counters, so tests can assert what reached "Stripe" (only GETs, how many per endpoint). */
import type { FakeStripeStats } from './types.js';

export class Stats implements FakeStripeStats {
  total = 0;
  byMethod: Record<string, number> = {};
  byPath: Record<string, number> = {};
  byStatus: Record<string, number> = {};
  byAccount: Record<string, number> = {};

  request(method: string, endpoint: string, account: string): void {
    this.total++;
    bump(this.byMethod, method);
    bump(this.byPath, endpoint);
    bump(this.byAccount, account);
  }

  response(status: string): void {
    bump(this.byStatus, status);
  }

  /** An arrow, so `const { reset } = fake.stats` works too. */
  reset = (): void => {
    this.total = 0;
    this.byMethod = {};
    this.byPath = {};
    this.byStatus = {};
    this.byAccount = {};
  };
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
