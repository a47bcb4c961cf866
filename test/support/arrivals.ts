import type { FakeStripe } from '../../src/testing/index.js';

/**
 * Waits until the in-process fake has counted `sent` requests (at most 5 s). A request sent just before a
 * read ends (a prefetch nobody needs any more) reaches the fake only after the read's caller goes on.
 */
export async function untilArrived(fake: FakeStripe, sent: number): Promise<void> {
  for (const deadline = Date.now() + 5_000; fake.stats.total < sent && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 5));
}
