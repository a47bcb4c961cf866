import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs a script as a user's project would, importing the built package by its name. */
function node(args: readonly string[], code: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [...args, code], { encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** How each module system loads a package: `lib`, `testing` (and `msw` where asked) as a user's code would. */
const LOADERS = [
  { name: 'require (CommonJS)', args: ['-e'], load: (module: string) => `require('${module}')` },
  { name: 'import (ESM)', args: ['--input-type=module', '-e'], load: (module: string) => `await import('${module}')` },
] as const;

function loading(load: (module: string) => string, withMsw = false): string {
  return `const lib = ${load('stripe-source')}; const testing = ${load('stripe-source/testing')};${withMsw ? ` const msw = ${load('msw/node')};` : ''}`;
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
  it.each(LOADERS.map((l) => [l.name, l.args, SCRIPT(loading(l.load))] as const))('%s: a full read works and errors are one class tree', (_name, args, code) => {
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
  it.each(LOADERS.map((l) => [l.name, l.args, MSW_SCRIPT(loading(l.load, true))] as const))('%s: every request is answered by the fake', (_name, args, code) => {
    const result = node(args, code);
    expect(result.stderr).toBe('');
    const out = JSON.parse(result.stdout) as { counts: Record<string, number>; served: number };
    // 150 invoices: pages over 128 KiB, parsed in pieces.
    expect(out.counts).toEqual({ customers: 120, invoices: 150 });
    expect(out.served).toBeGreaterThan(2);
  });
});
