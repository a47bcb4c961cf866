/**
 * Stripe's rate limits: requests per second per account, over all endpoints and per endpoint, counted over
 * a sliding one-second window. Only accepted requests count, so a client that backs off recovers. The
 * caller passes real time: the fake's own clock may stand still.
 */
import type { RateLimitReason } from './responses.js';

const WINDOW_MS = 1000;

/** Times of accepted requests within the last second, oldest first. */
class Window {
  private times: number[] = [];
  private head = 0;

  count(now: number): number {
    while (this.head < this.times.length && (this.times[this.head] as number) <= now - WINDOW_MS) this.head++;
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head); // compact now and then, not on every request
      this.head = 0;
    }
    return this.times.length - this.head;
  }

  add(now: number): void {
    this.times.push(now);
  }
}

export interface RateLimits {
  readonly global: number;
  readonly perEndpoint: number;
}

export class RateLimiter {
  private readonly global = new Map<string, Window>();
  private readonly endpoints = new Map<string, Window>();

  constructor(private readonly limits: RateLimits) {}

  /** Counts the request when it is allowed; otherwise says which limit it hit. */
  take(account: string, endpoint: string, now: number): RateLimitReason | undefined {
    const global = window(this.global, account);
    const perEndpoint = window(this.endpoints, `${account} ${endpoint}`);
    if (global.count(now) >= this.limits.global) return 'global-rate';
    if (perEndpoint.count(now) >= this.limits.perEndpoint) return 'endpoint-rate';
    global.add(now);
    perEndpoint.add(now);
    return undefined;
  }
}

function window(windows: Map<string, Window>, key: string): Window {
  let found = windows.get(key);
  if (!found) windows.set(key, (found = new Window()));
  return found;
}
