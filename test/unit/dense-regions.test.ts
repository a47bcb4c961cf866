import { describe, expect, it } from 'vitest';
import { awaitingDenseVerdict, denseRegionCuts, type WindowDensity } from '../../src/plan/dense-regions.js';

const OPTIONS = { pageSize: 100, pagesInARow: 4, factor: 200, minPages: 100, piecePages: 10 };
/** A window of `density` objects a second page after page. */
const even = (density: number, unreadSeconds = 1_000_000): WindowDensity => ({ density, ownDensities: [density, density, density, density], unreadSeconds });

describe('denseRegionCuts', () => {
  it('cuts a window that reads a region 200 times denser than the typical window, into parts of ten pages', () => {
    const windows = [even(0.001), even(0.001), even(0.5), even(0.002)];
    expect(denseRegionCuts(windows, OPTIONS)).toEqual([{ index: 2, pieceSeconds: 2_000, pages: 5_000 }]);
  });

  it('leaves even data alone, however much of it there is', () => {
    expect(denseRegionCuts([even(3), even(2.5), even(4), even(3.5)], OPTIONS)).toEqual([]);
  });

  it('takes the sparsest of the last pages: a burst lifts a few pages, a dense region all of them', () => {
    const burst: WindowDensity = { density: 50, ownDensities: [0.001, 100, 100, 100], unreadSeconds: 1_000_000 };
    expect(denseRegionCuts([even(0.001), even(0.001), burst], OPTIONS)).toEqual([]);
    const region: WindowDensity = { density: 0.5, ownDensities: [0.001, 0.5, 0.6, 0.5, 0.5], unreadSeconds: 1_000_000 };
    expect(denseRegionCuts([even(0.001), even(0.001), region], OPTIONS).map((c) => c.index)).toEqual([2]);
  });

  it('needs four pages of the window itself, and another window to compare with', () => {
    const young: WindowDensity = { density: 0.5, ownDensities: [0.5, 0.5, 0.5], unreadSeconds: 1_000_000 };
    expect(denseRegionCuts([even(0.001), even(0.001), young], OPTIONS)).toEqual([]);
    expect(denseRegionCuts([even(0.5)], OPTIONS)).toEqual([]);
    const fresh: WindowDensity = { density: 0.001, ownDensities: [], unreadSeconds: 1_000_000 };
    expect(denseRegionCuts([fresh, even(0.5)], OPTIONS)).toEqual([]);
  });

  it('compares with windows that have read one page of their own: the others have not read four yet', () => {
    const onePage = (density: number): WindowDensity => ({ density, ownDensities: [density], unreadSeconds: 1_000_000 });
    const cuts = denseRegionCuts([onePage(0.001), onePage(0.002), even(0.5), onePage(0.001)], OPTIONS);
    expect(cuts).toEqual([{ index: 2, pieceSeconds: 2_000, pages: 5_000 }]);
    // A window of one page is compared with, never cut: one page says nothing of a region.
    expect(denseRegionCuts([even(0.001), even(0.001), onePage(0.5)], OPTIONS)).toEqual([]);
  });

  it('leaves a dense window that holds little: under a hundred pages, or under two seconds, left', () => {
    expect(denseRegionCuts([even(0.001), even(0.001), even(0.5, 19_000)], OPTIONS)).toEqual([]);
    expect(denseRegionCuts([even(0.001), even(0.001), even(0.5, 20_000)], OPTIONS)).toHaveLength(1);
    expect(denseRegionCuts([even(0.001), even(0.001), even(100_000, 1)], OPTIONS)).toEqual([]);
  });
});

describe('awaitingDenseVerdict', () => {
  const pages = (densities: number[], unreadSeconds = 1_000_000): WindowDensity => ({ density: densities[densities.length - 1] ?? 0, ownDensities: densities, unreadSeconds });

  it('marks a window whose first pages of its own are all 200 times denser than the typical window', () => {
    expect(awaitingDenseVerdict([pages([0.001]), pages([0.002]), pages([0.5]), pages([0.5, 0.6, 0.5])], OPTIONS)).toEqual([false, false, true, true]);
  });

  it('lets go once the verdict is due (four pages), or when a page of its own was sparse', () => {
    expect(awaitingDenseVerdict([pages([0.001]), pages([0.001]), pages([0.5, 0.5, 0.5, 0.5])], OPTIONS)).toEqual([false, false, false]);
    expect(awaitingDenseVerdict([pages([0.001]), pages([0.001]), pages([0.001, 0.5])], OPTIONS)).toEqual([false, false, false]);
  });

  it('judges by its own pages, not by the estimate it inherited', () => {
    const inherited: WindowDensity = { density: 0.001, ownDensities: [0.5, 0.5], unreadSeconds: 1_000_000 };
    expect(awaitingDenseVerdict([pages([0.001]), pages([0.001]), inherited], OPTIONS)).toEqual([false, false, true]);
  });

  it('compares with windows that have a density: bursts alone (density 0) say nothing of the typical window', () => {
    const burstOnly: WindowDensity = { density: 0, ownDensities: [100], unreadSeconds: 1_000_000 };
    // Without them the typical window is 0.001: the 0.5 window is dense, and the bursts are no region.
    expect(awaitingDenseVerdict([burstOnly, burstOnly, pages([0.001]), pages([0.001]), pages([0.5])], OPTIONS)).toEqual([false, false, false, false, true]);
    // Counted, they made the typical density 0, and every window 200 times denser than that.
    expect(awaitingDenseVerdict([burstOnly, burstOnly, burstOnly, pages([0.01])], OPTIONS)).toEqual([false, false, false, false]);
    expect(denseRegionCuts([burstOnly, burstOnly, burstOnly, even(0.01), even(0.001)], OPTIONS)).toEqual([]);
  });

  it('marks nothing without a page of its own, without another window to compare with, or with little left', () => {
    expect(awaitingDenseVerdict([pages([0.001]), pages([0.001]), pages([])], OPTIONS)).toEqual([false, false, false]);
    expect(awaitingDenseVerdict([pages([0.5])], OPTIONS)).toEqual([false]);
    // 0.5 a second over 19,000 s is 95 pages: under a hundred, no cut would come, so subdivision may have it.
    expect(awaitingDenseVerdict([pages([0.001]), pages([0.001]), pages([0.5], 19_000)], OPTIONS)).toEqual([false, false, false]);
    expect(awaitingDenseVerdict([pages([0.001]), pages([0.001]), pages([0.5], 20_000)], OPTIONS)).toEqual([false, false, true]);
    // A region packed into under two seconds is a burst's business (a deep second), not a cut's.
    expect(awaitingDenseVerdict([pages([0.001]), pages([0.001]), pages([100_000], 1)], OPTIONS)).toEqual([false, false, false]);
  });
});
