import type { Writable } from 'node:stream';
import type { StripeSource } from '../source.js';

interface StreamTally {
  records: number;
  started: number;
  ended: number | undefined;
  /** Records counted at the last render, for the per-stream rate. */
  lastRecords: number;
}

/**
 * What a person watching `sync` or `demo` sees: on a terminal one line redrawn in place (records/s per
 * stream) and a summary table at the end; elsewhere one JSON line per event (`{"time", "event", ...}`), the
 * summary included.
 */
export class ProgressReporter {
  private readonly tallies = new Map<string, StreamTally>();
  private readonly started = performance.now();
  private lastRender = performance.now();
  private lastTotal = 0;
  private total = 0;
  private retries = 0;
  private rateLimited = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly source: StripeSource,
    private readonly out: Writable & { isTTY?: boolean; columns?: number },
  ) {
    source.on('stream_start', ({ stream }) => this.tally(stream));
    source.on('stream_end', ({ stream }) => (this.tally(stream).ended = performance.now()));
    source.on('retry', (e) => {
      this.retries += 1;
      this.log({ event: 'retry', ...e });
    });
    source.on('rate_limited', (e) => {
      this.rateLimited += 1;
      this.log({ event: 'rate_limited', ...e });
    });
    source.on('warning', (e) => this.log({ event: 'warning', ...e }));
    if (this.out.isTTY) {
      this.timer = setInterval(() => this.render(), 500);
      this.timer.unref();
    } else {
      source.on('stream_start', (e) => this.log({ event: 'stream_start', ...e }));
      source.on('stream_end', (e) => this.log({ event: 'stream_end', ...e }));
      source.on('progress', (e) => this.log({ event: 'progress', records: e.records, requests: e.requests, elapsedSeconds: round(e.elapsedSeconds) }));
    }
  }

  /** Counts one delivered record. */
  record(stream: string): void {
    this.tally(stream).records += 1;
    this.total += 1;
  }

  /**
   * Stops redrawing and prints the summary: a table on a terminal, one JSON line `{"event": "summary", ...}`
   * elsewhere, for a log collector to parse.
   */
  finish(options: { requests: number; outcome: string }): void {
    if (this.timer) clearInterval(this.timer);
    const seconds = (performance.now() - this.started) / 1000;
    const streams = [...this.tallies.entries()].sort((a, b) => b[1].records - a[1].records).map(([name, t]) => ({
      name, records: t.records, seconds: ((t.ended ?? performance.now()) - t.started) / 1000,
    }));
    if (!this.out.isTTY) {
      this.log({
        event: 'summary', outcome: options.outcome, records: this.total, requests: options.requests, retries: this.retries,
        rateLimited: this.rateLimited, seconds: round(seconds),
        streams: Object.fromEntries(streams.map((s) => [s.name, { records: s.records, seconds: round(s.seconds) }])),
      });
      return;
    }
    this.out.write('\r\x1b[2K');
    const rows = streams.map((s) => [s.name, fmt(s.records), s.seconds.toFixed(1), fmt(s.seconds > 0 ? s.records / s.seconds : 0)]);
    rows.push(['total', fmt(this.total), seconds.toFixed(1), fmt(seconds > 0 ? this.total / seconds : 0)]);
    const header = ['stream', 'records', 'seconds', 'records/s'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    this.out.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
    for (const row of rows) this.out.write(`${line(row)}\n`);
    this.out.write(`${options.outcome}: ${fmt(this.total)} records, ${fmt(options.requests)} requests, ${this.retries} retries, ${this.rateLimited} rate-limited, ${seconds.toFixed(1)} s.\n`);
  }

  private tally(stream: string): StreamTally {
    let t = this.tallies.get(stream);
    if (!t) this.tallies.set(stream, (t = { records: 0, started: performance.now(), ended: undefined, lastRecords: 0 }));
    return t;
  }

  private render(): void {
    const now = performance.now();
    const dt = Math.max((now - this.lastRender) / 1000, 0.001);
    const rate = (this.total - this.lastTotal) / dt;
    const active = [...this.tallies.entries()]
      .filter(([, t]) => t.ended === undefined)
      .map(([name, t]) => ({ name, rate: (t.records - t.lastRecords) / dt }))
      .sort((a, b) => b.rate - a.rate);
    for (const t of this.tallies.values()) t.lastRecords = t.records;
    this.lastRender = now;
    this.lastTotal = this.total;
    const done = [...this.tallies.values()].filter((t) => t.ended !== undefined).length;
    const head = `${fmt(this.total)} records  ${fmt(rate)}/s  ${done}/${this.tallies.size} streams done  `;
    const parts = active.map((a) => `${a.name} ${fmt(a.rate)}/s`).join('  ');
    const width = (this.out.columns ?? 120) - 1;
    this.out.write(`\r\x1b[2K${(head + parts).slice(0, width)}`);
  }

  private log(entry: Record<string, unknown>): void {
    if (this.out.isTTY && entry.event !== 'warning') return;
    if (this.out.isTTY) this.out.write('\r\x1b[2K');
    this.out.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
