import { readFile } from 'node:fs/promises';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { catalogEntries } from '../catalog/entries.js';
import type { StreamName } from '../catalog/streams.js';
import { ConfigError, CheckpointError, StripeSourceError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { StripeSource } from '../source.js';
import { runDemo } from './demo.js';
import { runFakeServer } from './fake-server.js';
import { runSync } from './run-sync.js';

/** Exit codes: success, a failure during the run, bad input (options, checkpoint, usage), interrupted. */
export const EXIT = { ok: 0, failure: 1, badInput: 2, interrupted: 130 } as const;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const COMMON = `
Key: taken from STRIPE_API_KEY, or from the file named by --api-key-file (never from the command line).
Exit codes: 0 success, 1 failure during the run, 2 bad input (options, key, checkpoint), 130 interrupted.`;

const HELP: Record<string, string> = {
  main: `stripe-source: pull a Stripe account's data as resumable, throttled streams.

Usage: stripe-source <command> [options]

Commands:
  demo          full sync of a built-in fake Stripe account into ./stripe-data (no key needed)
  sync          sync a Stripe account into NDJSON files, resuming from the last checkpoint
  check         verify the key and report which streams it may read
  catalog       print the stream catalog with JSON Schemas
  fake-server   serve the fake Stripe on 127.0.0.1 for tests

Run "stripe-source <command> --help" for a command's options.
${COMMON}`,
  sync: `Usage: stripe-source sync --out DIR [options]

Writes <DIR>/<stream>.ndjson and <DIR>/checkpoint.json. Run it again to resume or to pick up objects
created since the last run.

Options:
  --out DIR             output directory (required)
  --streams a,b         streams to read (default: all)
  --checkpoint FILE     state file (default: <DIR>/checkpoint.json)
  --start-date DATE     oldest creation date to read (ISO 8601)
  --account-id ID       connected account to read (acct_...)
  --base-url URL        Stripe's address (default https://api.stripe.com), e.g. a fake Stripe
  --max-rps N           requests per second overall
  --max-rps-endpoint N  requests per second per endpoint
  --api-key-file FILE   read the key from FILE instead of STRIPE_API_KEY
${COMMON}`,
  check: `Usage: stripe-source check [--streams a,b] [--account-id ID] [--base-url URL] [--api-key-file FILE]

Prints {accountId, mode, keyKind, streams: [{stream, status, permission?}]} as JSON.
${COMMON}`,
  catalog: `Usage: stripe-source catalog [--no-schemas]

Prints the stream catalog as JSON (no key needed).`,
  demo: `Usage: stripe-source demo [--out DIR] [--records N] [--seed S] [--fast]

Starts the fake Stripe on 127.0.0.1 with about N objects (default 50,000) across all streams, Stripe's
live rate limits (100/s overall, 25/s per endpoint) and list latency, and syncs it into DIR (default
./stripe-data). Run it again to resume. --fast turns latency and limits off.`,
  'fake-server': `Usage: stripe-source fake-server [--port N] [--seed S] [--records N] [--latency-ms N] [--rate-limit live|test|off] [--now DATE]

Serves the fake Stripe on 127.0.0.1 and prints one JSON line {"url": ..., "apiKey": ..., "accountId": ...};
stops on SIGINT or SIGTERM. --records is the total object count, spread over the streams. --now freezes
the fake's clock at an ISO 8601 date, so the same seed always serves the same objects.`,
};

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>): ReturnType<typeof parseArgs> {
  try {
    return parseArgs({ args, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: false, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function streamsOption(value: unknown): StreamName[] | undefined {
  if (typeof value !== 'string') return undefined;
  return value.split(',').map((s) => s.trim()).filter(Boolean) as StreamName[];
}

function numberOption(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number, not "${String(value)}".`);
  return n;
}

async function apiKey(file: unknown): Promise<string> {
  if (typeof file === 'string') {
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (error) {
      throw new UsageError(`cannot read --api-key-file ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
    }
  }
  const key = process.env.STRIPE_API_KEY;
  if (!key) throw new UsageError('no API key: set STRIPE_API_KEY, or pass --api-key-file FILE. Create a key at https://dashboard.stripe.com/apikeys.');
  return key.trim();
}

const SOURCE_FLAGS = {
  streams: { type: 'string' },
  'account-id': { type: 'string' },
  'base-url': { type: 'string' },
  'api-key-file': { type: 'string' },
  'start-date': { type: 'string' },
  'max-rps': { type: 'string' },
  'max-rps-endpoint': { type: 'string' },
} as const;

async function sourceFrom(values: Record<string, unknown>): Promise<StripeSource> {
  return new StripeSource({
    apiKey: await apiKey(values['api-key-file']),
    ...(values['account-id'] !== undefined ? { accountId: values['account-id'] as string } : {}),
    ...(values['base-url'] !== undefined ? { baseUrl: values['base-url'] as string } : {}),
    ...(values['start-date'] !== undefined ? { startDate: values['start-date'] as string } : {}),
    ...(values.streams !== undefined ? { streams: streamsOption(values.streams)! } : {}),
    ...(values['max-rps'] !== undefined ? { maxRequestsPerSecond: numberOption('max-rps', values['max-rps'])! } : {}),
    ...(values['max-rps-endpoint'] !== undefined ? { maxRequestsPerSecondPerEndpoint: numberOption('max-rps-endpoint', values['max-rps-endpoint'])! } : {}),
  });
}

/** Ctrl-C (or SIGTERM) stops any command at its next step; a sync's last checkpoint on disk stays valid. */
const interrupt = new AbortController();
function interruptSignal(): AbortSignal {
  if (process.listenerCount('SIGINT') === 0) {
    const stop = (): void => interrupt.abort(new DOMException('Interrupted', 'AbortError'));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  return interrupt.signal;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${HELP.main}\n`);
    return command === undefined ? EXIT.badInput : EXIT.ok;
  }
  if (!HELP[command] || command === 'main') throw new UsageError(`unknown command "${command}". Commands: demo, sync, check, catalog, fake-server.`);
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  if (wantsHelp) {
    process.stdout.write(`${HELP[command]}\n`);
    return EXIT.ok;
  }
  switch (command) {
    case 'catalog': {
      const { values } = parse(rest, { 'no-schemas': { type: 'boolean' } });
      const catalog = catalogEntries().map((entry) => (values['no-schemas'] ? { ...entry, jsonSchema: undefined } : entry));
      process.stdout.write(`${JSON.stringify({ streams: catalog }, null, 2)}\n`);
      return EXIT.ok;
    }
    case 'check': {
      const { values } = parse(rest, SOURCE_FLAGS);
      const source = await sourceFrom(values);
      const result = await source.check({ signal: interruptSignal() });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return EXIT.ok;
    }
    case 'sync': {
      const { values } = parse(rest, { ...SOURCE_FLAGS, out: { type: 'string' }, checkpoint: { type: 'string' } });
      if (typeof values.out !== 'string') throw new UsageError('sync needs --out DIR.');
      const source = await sourceFrom(values);
      await runSync({ source, dir: values.out, statePath: values.checkpoint as string | undefined, signal: interruptSignal(), out: process.stdout });
      return EXIT.ok;
    }
    case 'demo': {
      const { values } = parse(rest, { out: { type: 'string' }, records: { type: 'string' }, seed: { type: 'string' }, fast: { type: 'boolean' } });
      await runDemo({
        dir: (values.out as string | undefined) ?? 'stripe-data',
        records: numberOption('records', values.records) ?? 50_000,
        seed: numberOption('seed', values.seed) ?? 1,
        fast: values.fast === true,
        signal: interruptSignal(),
        out: process.stdout,
      });
      return EXIT.ok;
    }
    case 'fake-server': {
      const { values } = parse(rest, {
        port: { type: 'string' }, seed: { type: 'string' }, records: { type: 'string' },
        'latency-ms': { type: 'string' }, 'rate-limit': { type: 'string' }, now: { type: 'string' },
      });
      const nowMs = typeof values.now === 'string' ? Date.parse(values.now) : undefined;
      if (nowMs !== undefined && Number.isNaN(nowMs)) throw new UsageError(`--now must be an ISO 8601 date, not "${String(values.now)}".`);
      const rateLimit = (values['rate-limit'] as string | undefined) ?? 'off';
      if (!['live', 'test', 'off'].includes(rateLimit)) throw new UsageError('--rate-limit must be live, test or off.');
      await runFakeServer({
        port: numberOption('port', values.port) ?? 0,
        seed: numberOption('seed', values.seed) ?? 1,
        records: numberOption('records', values.records),
        latencyMs: numberOption('latency-ms', values['latency-ms']) ?? 0,
        rateLimit: rateLimit as 'live' | 'test' | 'off',
        nowMs,
        signal: interruptSignal(),
        out: process.stdout,
      });
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown command "${command}".`);
  }
}

/** The message and exit code for an error that ended a command; never the key. */
export function describeFailure(error: unknown): { code: number; message: string } {
  if (error instanceof UsageError) return { code: EXIT.badInput, message: `stripe-source: ${error.message} (see --help)` };
  if (error instanceof ConfigError || error instanceof CheckpointError) return { code: EXIT.badInput, message: `${error.name}: ${error.message}` };
  if (error instanceof StripeSourceError) return { code: EXIT.failure, message: `${error.name}: ${error.message}` };
  return { code: EXIT.failure, message: redactSecrets(error instanceof Error ? `${error.name}: ${error.message}` : String(error)) };
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (interrupt.signal.aborted) {
      process.stderr.write('Interrupted.\n');
      process.exitCode = EXIT.interrupted;
      return;
    }
    const { code, message } = describeFailure(error);
    process.stderr.write(`${redactSecrets(message)}\n`);
    process.exitCode = code;
  },
);
