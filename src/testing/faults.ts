/**
 * Injected failures, drawn per request from their own seeded stream so that turning faults on doesn't
 * change the data, and the same requests in the same order fail the same way.
 */
import { Rng, deriveSeed } from './random.js';
import type { FaultKind } from './types.js';

export interface FaultSettings {
  readonly probability: number;
  readonly kinds: readonly FaultKind[];
  readonly paths: readonly string[] | undefined;
}

export class FaultInjector {
  private readonly rng: Rng;

  constructor(private readonly settings: FaultSettings, seed: number) {
    this.rng = new Rng(deriveSeed(seed, 'faults'));
  }

  /** The fault this request gets, if any. */
  draw(path: string): FaultKind | undefined {
    const { probability, kinds, paths } = this.settings;
    if (probability <= 0) return undefined;
    if (paths && !paths.some((prefix) => path.startsWith(prefix))) return undefined;
    if (!this.rng.chance(probability)) return undefined;
    return this.rng.pick(kinds);
  }
}
