import { describe, expect, it } from 'vitest';
import { criticalPathCuts, type WindowChain } from '../../src/plan/critical-path.js';

const OPTIONS = { slack: 1.1, minPartPages: 10 };
const chain = (unreadPages: number, secondsPerPage = 0.3): WindowChain => ({ unreadPages, secondsPerPage });

describe('criticalPathCuts', () => {
  it('cuts a window whose chain outlasts the rest of the list, into parts that each end in time', () => {
    // 1,000 pages at 25/s: 40 s. The newest weeks hold 150 pages: 45 s one round trip after another.
    const windows = [chain(80), chain(150), chain(70)];
    expect(criticalPathCuts(windows, { ...OPTIONS, pagesPerSecond: 25, pagesLeft: 1_000 })).toEqual([{ index: 1, parts: 2 }]);
    // Later, 400 pages left (16 s), and it still holds 120 (36 s): three parts of 12 s each.
    expect(criticalPathCuts([chain(120)], { ...OPTIONS, pagesPerSecond: 25, pagesLeft: 400 })).toEqual([{ index: 0, parts: 3 }]);
  });

  it('leaves windows alone that end with the rest, or only a little after (estimates are a few percent off)', () => {
    expect(criticalPathCuts([chain(80), chain(100)], { ...OPTIONS, pagesPerSecond: 25, pagesLeft: 1_000 })).toEqual([]);
    // 32 s of list: 35.1 s of chain is within the slack of 10% (35.2 s), 35.4 s is not.
    expect(criticalPathCuts([chain(117)], { ...OPTIONS, pagesPerSecond: 25, pagesLeft: 800 })).toEqual([]);
    expect(criticalPathCuts([chain(118)], { ...OPTIONS, pagesPerSecond: 25, pagesLeft: 800 })).toEqual([{ index: 0, parts: 2 }]);
    expect(criticalPathCuts([chain(118)], { ...OPTIONS, pagesPerSecond: 25, pagesLeft: 800, slack: 1.2 })).toEqual([]);
  });

  it('makes no part smaller than minPartPages: each part ends on a partial page, a request more', () => {
    // 25 pages, 7.5 s of chain, against 1 s of list: eight parts would end in time, but only two hold ten pages.
    expect(criticalPathCuts([chain(25)], { ...OPTIONS, pagesPerSecond: 25, pagesLeft: 25 })).toEqual([{ index: 0, parts: 2 }]);
    expect(criticalPathCuts([chain(19)], { ...OPTIONS, pagesPerSecond: 25, pagesLeft: 19 })).toEqual([]);
  });

  it('judges nothing without a measured pace: no time per page yet, or no pages read lately', () => {
    expect(criticalPathCuts([{ unreadPages: 500, secondsPerPage: undefined }], { ...OPTIONS, pagesPerSecond: 25, pagesLeft: 500 })).toEqual([]);
    expect(criticalPathCuts([chain(500)], { ...OPTIONS, pagesPerSecond: 0, pagesLeft: 500 })).toEqual([]);
    expect(criticalPathCuts([chain(500)], { ...OPTIONS, pagesPerSecond: 25, pagesLeft: 0 })).toEqual([]);
    expect(criticalPathCuts([chain(500)], { ...OPTIONS, pagesPerSecond: 25, pagesLeft: Infinity })).toEqual([]);
  });

  it('cuts every window that is too long, each by its own chain', () => {
    const windows = [chain(300, 0.3), chain(10), chain(200, 0.45)];
    // 600 pages at 25/s: 24 s. 90 s of chain: 4 parts; 90 s again (slower round trips): 4 parts.
    expect(criticalPathCuts(windows, { ...OPTIONS, pagesPerSecond: 25, pagesLeft: 600 })).toEqual([
      { index: 0, parts: 4 },
      { index: 2, parts: 4 },
    ]);
  });
});
