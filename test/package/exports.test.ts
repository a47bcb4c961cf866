import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs a script as a user's project would, importing the built package by its name. */
function node(args: string[], code: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...args, code], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const SCRIPT = (load: string) => `
${load}
const fake = testing.createFakeStripe({ records: { customers: 120, charges: 30 } });
let fakeError;
try { testing.createFakeStripe({ seed: 'x' }); } catch (e) { fakeError = e; }
fake.listen().then(async (server) => {
  const source = new lib.StripeSource({ apiKey: fake.apiKey, baseUrl: server.url });
  let records = 0, checkpoints = 0;
  for await (const m of source.read({ streams: ['customers', 'charges'] })) {
    if (m.type === 'record') records++; else if (m.type === 'checkpoint') checkpoints++;
  }
  await server.close();
  console.log(JSON.stringify({ records, checkpoints, sameErrorClass: fakeError instanceof lib.ConfigError, names: Object.keys(lib).sort() }));
});`;

describe('the package as users load it', () => {
  it.each([
    ['require (CommonJS)', ['-e'], SCRIPT("const lib = require('stripe-source'); const testing = require('stripe-source/testing');")],
    ['import (ESM)', ['--input-type=module', '-e'], SCRIPT("const lib = await import('stripe-source'); const testing = await import('stripe-source/testing');")],
  ])('%s: a full read works and errors are one class tree', (_name, args, code) => {
    const result = node(args, code);
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as { records: number; checkpoints: number; sameErrorClass: boolean; names: string[] };
    expect(out.records).toBe(150);
    expect(out.checkpoints).toBeGreaterThan(0);
    expect(out.sameErrorClass).toBe(true);
    for (const name of ['StripeSource', 'StripeSourceError', 'ConfigError', 'AuthenticationError', 'PermissionError', 'RateLimitError', 'StripeApiError', 'CheckpointError']) {
      expect(out.names).toContain(name);
    }
  });
});

// docs/testing.md: with msw's handlers a source needs no baseUrl. The library's HTTP client must call
// node:http the way msw can intercept, in both builds (an ESM namespace import of node:http cannot be).
const MSW_SCRIPT = (load: string) => `
${load}
const fake = testing.createFakeStripe({ records: { customers: 120, invoices: 150 } });
const server = msw.setupServer(...fake.handlers);
server.listen({ onUnhandledRequest: 'error' });
(async () => {
  // Few retries and a short timeout: a request msw misses goes to the real api.stripe.com, and fails fast.
  const source = new lib.StripeSource({ apiKey: fake.apiKey, maxRetries: 1, timeoutMs: 5_000 });
  const counts = {};
  for await (const m of source.read({ streams: ['customers', 'invoices'] })) {
    if (m.type === 'record') counts[m.stream] = (counts[m.stream] ?? 0) + 1;
  }
  server.close();
  console.log(JSON.stringify({ counts, served: fake.stats.total }));
})();`;

describe('the package under msw, without a baseUrl', () => {
  it.each([
    ['require (CommonJS)', ['-e'], MSW_SCRIPT("const lib = require('stripe-source'); const testing = require('stripe-source/testing'); const msw = require('msw/node');")],
    ['import (ESM)', ['--input-type=module', '-e'], MSW_SCRIPT("const lib = await import('stripe-source'); const testing = await import('stripe-source/testing'); const msw = await import('msw/node');")],
  ])('%s: every request is answered by the fake', (_name, args, code) => {
    const result = node(args, code);
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as { counts: Record<string, number>; served: number };
    // 150 invoices: pages over 128 KiB, parsed in pieces.
    expect(out.counts).toEqual({ customers: 120, invoices: 150 });
    expect(out.served).toBeGreaterThan(2);
  });
});
