import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { startFake } from './helpers.js';

// A full collection on demand: what is still alive after it is what something still references.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

describe('memory held by a read', () => {
  it('records the consumer has been handed are not kept alive by the readers (at most the current page)', async () => {
    // Enough charges for every window slot of the stream to be busy, and a consumer that pauses, so the
    // windows are suspended waiting for permits while it holds still: nothing of theirs may pin old pages.
    const { source } = await startFake({ seed: 5, records: { charges: 12_000 }, latencyMs: { median: 1, p99: 5 } });
    const handed: Array<WeakRef<object>> = [];
    let pages = 0;
    let worst = 0;
    for await (const m of source().read({ streams: ['charges'] })) {
      if (m.type === 'record') handed.push(new WeakRef(m.record));
      if (m.type !== 'checkpoint' || ++pages % 20 !== 0) continue;
      await new Promise((resolve) => setTimeout(resolve, 20)); // the readers run ahead and then wait
      gc();
      worst = Math.max(worst, handed.filter((ref) => ref.deref() !== undefined).length);
    }
    expect(handed).toHaveLength(12_000);
    expect(pages).toBeGreaterThan(100);
    // The read still holds the page it is handing over (its checkpoint was just yielded), and V8 may keep a
    // stray record in a register; every earlier page must be collectable. Before the fix each suspended
    // window held its last page.
    expect(worst).toBeLessThanOrEqual(200);
  });
});
