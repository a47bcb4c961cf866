import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { STREAMS } from '../../src/catalog/streams.js';

describe('the streams reference', () => {
  it("names every stream's change strategy as the catalog does", () => {
    const text = readFileSync(new URL('../../docs/streams.md', import.meta.url), 'utf8');
    const documented = new Map<string, string>();
    for (const line of text.split('\n')) {
      const match = /^\| `([a-z_]+)` \|.*\[`([a-z_]+)`\]\(changes\.md#strategy-per-stream\) \|$/.exec(line);
      if (match) documented.set(match[1]!, match[2]!);
    }
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(STREAMS.map((s) => [s.name, s.changes])));
  });
});
