import Bottleneck from 'bottleneck';

export interface ThrottleOptions {
  /** Requests per second across all endpoints of the account. */
  globalPerSecond: number;
  /** Requests per second to one endpoint. */
  endpointPerSecond: number;
}

/**
 * Stripe limits requests per account (100/s live, 25/s test) and per endpoint (25/s). One global bucket and
 * one bucket per endpoint, shared by every stream of a source, keep a sync under both. Buckets space
 * requests evenly (bottleneck's `minTime`) rather than letting a burst through at each second's start,
 * because Stripe counts in a sliding window and a burst is what earns 429s.
 */
export class Throttle {
  private readonly global: Bottleneck;
  private readonly endpoints = new Map<string, Bottleneck>();
  private readonly endpointMinTime: number;

  constructor(options: ThrottleOptions) {
    this.global = new Bottleneck({ minTime: 1000 / options.globalPerSecond });
    this.endpointMinTime = 1000 / options.endpointPerSecond;
  }

  /** Runs `task` once both the endpoint's and the global bucket allow one more request. */
  schedule<T>(endpoint: string, task: () => Promise<T>): Promise<T> {
    let limiter = this.endpoints.get(endpoint);
    if (!limiter) {
      limiter = new Bottleneck({ minTime: this.endpointMinTime });
      this.endpoints.set(endpoint, limiter);
    }
    const global = this.global;
    return limiter.schedule(() => global.schedule(task));
  }

  /** Drops queued work: after an abort nothing waiting may still go out. */
  async stop(): Promise<void> {
    await Promise.all([this.global, ...this.endpoints.values()].map((l) => l.stop({ dropWaitingJobs: true }).catch(() => undefined)));
  }
}

/** The endpoint a path counts against: ids replaced, so `/v1/invoices/in_1/lines` and `/v1/invoices/in_2/lines` share one. */
export function endpointOf(path: string): string {
  const isId = (segment: string): boolean => /^[a-z]+_[A-Za-z0-9_]+$/.test(segment) && !/^[a-z_]+$/.test(segment);
  return path.split('?')[0]!.split('/').map((segment) => (isId(segment) ? '{id}' : segment)).join('/');
}
