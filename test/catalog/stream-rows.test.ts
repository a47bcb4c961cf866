import { describe, expect, it } from 'vitest';
import { STREAMS } from '../../src/catalog/streams.js';

// The reader reads a row for every record (its created field) and a child link for every parent. Rows
// with one set of fields in one order share one V8 shape, so that code stays optimized; rows spread from
// their literals had a shape each and deoptimized it once per new stream (docs/performance.md).
describe('the stream table', () => {
  it('gives every row the same fields in the same order, absent ones undefined', () => {
    const [first, ...rest] = STREAMS.map((row) => Object.keys(row));
    expect(first).toContain('parent');
    expect(first).toContain('partitions');
    for (const keys of rest) expect(keys).toEqual(first);
  });

  it('gives every child link the same fields in the same order', () => {
    const links = STREAMS.flatMap((row) => (row.parent ? [Object.keys(row.parent)] : []));
    expect(links.length).toBeGreaterThan(1);
    for (const keys of links) expect(keys).toEqual(['stream', 'embedded', 'listPath', 'parentParam', 'skipWhenNull']);
  });
});
