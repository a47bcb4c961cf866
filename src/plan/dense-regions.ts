/**
 * Pure planning: which windows of a list read a region many times denser than the rest of it (half of
 * three years' objects in one day), and how finely to cut them. No I/O here.
 */

/** What the scheduler knows of a window's density. */
export interface WindowDensity {
  /** Objects per second its estimate goes by (the median of its last pages). */
  readonly density: number;
  /** Densities of the last pages it read itself, newest last (a part of a cut has none yet). */
  readonly ownDensities: readonly number[];
  /** Seconds it has left to read. */
  readonly unreadSeconds: number;
}

export interface DenseRegionOptions {
  /** Objects a full page holds. */
  readonly pageSize: number;
  /**
   * Own pages in a row that must all be dense: a burst (a few hundred objects in one second) fills at
   * most three, a dense region page after page.
   */
  readonly pagesInARow: number;
  /** How many times denser than the typical window (the median) its sparsest recent page must be. */
  readonly factor: number;
  /** Pages it must likely hold still, by that sparsest density: a small dense window is no critical path. */
  readonly minPages: number;
  /** Pages each part of the cut likely holds: few, so a deep second anywhere in the region is soon under a cursor. */
  readonly piecePages: number;
}

export interface DenseRegionCut {
  /** The window's index in the list given. */
  readonly index: number;
  /** Seconds of each part cut below its cursor. */
  readonly pieceSeconds: number;
  /** Pages it likely holds still, by its sparsest recent page. */
  readonly pages: number;
}

/**
 * The windows to cut into parts of `piecePages` below their cursors: those whose last `pagesInARow` own
 * pages are all `factor` times denser than the typical window's density (the median of the windows that
 * have read a page of their own, two at least) and that still hold `minPages` or more at that density.
 */
export function denseRegionCuts(windows: readonly WindowDensity[], options: DenseRegionOptions): DenseRegionCut[] {
  const typical = typicalDensity(windows);
  if (typical === undefined) return [];
  const cuts: DenseRegionCut[] = [];
  windows.forEach((w, index) => {
    if (w.ownDensities.length < options.pagesInARow) return;
    const density = Math.min(...w.ownDensities.slice(-options.pagesInARow));
    if (!isDenseRegion(density, w.unreadSeconds, typical, options)) return;
    cuts.push({ index, pieceSeconds: (options.piecePages * options.pageSize) / density, pages: (density * w.unreadSeconds) / options.pageSize });
  });
  return cuts;
}

/**
 * For each window, whether it is a dense region's window still short of its verdict: every page of its own
 * so far (one at least, fewer than `pagesInARow`) `factor` times denser than the typical window, and
 * `minPages` or more likely left at that density. Subdivision must leave such a window whole until its
 * verdict: halving it whenever a sparse window finished left it under `minPages` by its fourth page in 1
 * of 5 runs of test/source/dense-region.test.ts under load, so no dense-region cut came, and its halves
 * then made the typical density dense.
 */
export function awaitingDenseVerdict(windows: readonly WindowDensity[], options: DenseRegionOptions): boolean[] {
  const typical = typicalDensity(windows);
  return windows.map((w) => {
    // A window with no density (its pages each within one second: a burst, not a region) is not one.
    if (typical === undefined || !(w.density > 0) || w.ownDensities.length === 0 || w.ownDensities.length >= options.pagesInARow) return false;
    return isDenseRegion(Math.min(...w.ownDensities), w.unreadSeconds, typical, options);
  });
}

/** `factor` times the typical density, with `minPages` or more left at it over two seconds or more: a region, not a burst or a sliver. */
function isDenseRegion(density: number, unreadSeconds: number, typical: number, options: DenseRegionOptions): boolean {
  return density >= options.factor * typical && (density * unreadSeconds) / options.pageSize >= options.minPages && unreadSeconds >= 2;
}

/**
 * The typical window's density: the median of every window that has read a page of its own and has a
 * density (a window whose pages all fell within one second each has none yet: 0), or undefined with fewer
 * than two. A typical density of 0 would make every window 200 times denser than it. Waiting for windows
 * with four pages of their own to compare with left the dense window to the critical-path cuts (judged
 * after 24 pages of the list) in 3 of 4 runs of test/source/dense-region.test.ts: they cut the region into
 * two or three parts at a time, and once its parts were the median window, nothing was 200 times denser.
 */
function typicalDensity(windows: readonly WindowDensity[]): number | undefined {
  const measured = windows.filter((w) => w.ownDensities.length >= 1 && w.density > 0);
  return measured.length < 2 ? undefined : median(measured.map((w) => w.density));
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;
}
