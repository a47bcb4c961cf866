/**
 * Response delays. Real API latency is long-tailed: most responses near the median, a few far slower.
 * With a p99 the delay is log-normal: median e^mu, and p99 = e^(mu + 2.326 sigma).
 */
import { Rng, deriveSeed } from './random.js';

/** The standard normal's 99th percentile. */
const Z99 = 2.3263;

export class Latency {
  private readonly rng: Rng;
  private readonly sigma: number;

  constructor(private readonly median: number, p99: number | undefined, seed: number) {
    this.rng = new Rng(deriveSeed(seed, 'latency'));
    this.sigma = p99 !== undefined && median > 0 && p99 > median ? Math.log(p99 / median) / Z99 : 0;
  }

  /** Next delay in ms. */
  sample(): number {
    if (this.median <= 0) return 0;
    if (this.sigma === 0) return this.median;
    return this.median * Math.exp(this.sigma * this.rng.normal());
  }

  async wait(): Promise<void> {
    const ms = this.sample();
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
  }
}
