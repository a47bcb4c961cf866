import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { redactSecrets } from '../redact.js';

/**
 * One JSON value per line on a stream (a protocol's stdout), waiting when the reader is slower than the
 * source so that output never piles up in memory. Every line passes through the key redaction: records are
 * Stripe's data, but messages and logs may carry text from elsewhere.
 */
export class JsonLineWriter {
  constructor(private readonly out: Writable) {}

  /** Writes at once (for event listeners, which cannot wait); ordering with `write` is kept. */
  writeNow(value: unknown): boolean {
    return this.out.write(`${redactSecrets(JSON.stringify(value))}\n`);
  }

  /** Writes and waits for the stream to drain when its buffer is full. */
  async write(value: unknown): Promise<void> {
    if (!this.writeNow(value)) await once(this.out, 'drain');
  }
}
