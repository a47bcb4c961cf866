import { readFile } from 'node:fs/promises';
import { catalogEntries } from '../catalog/entries.js';
import { redactSecrets } from '../redact.js';
import { StripeSource } from '../source.js';
import { runAirbyte, type AirbyteCommand } from './airbyte/source.js';
import { numberOption, parseFlags, streamsOption, stringOption, type FlagValues } from './args.js';
import { describeFailure, EXIT } from './exit.js';
import { UsageError } from './input-errors.js';
import { runSync } from './run-sync.js';
import { runSingerTap } from './singer/tap.js';

export { describeFailure, EXIT } from './exit.js';

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
  singer        run as a Singer tap (Meltano): --discover, or SCHEMA/RECORD/STATE messages on stdout
  airbyte       run as an Airbyte source: spec, check, discover, read

Run "stripe-source <command> --help" for a command's options.
${COMMON}`,
  sync: `Usage: stripe-source sync --out DIR [options]

Writes <DIR>/<stream>.ndjson and <DIR>/checkpoint.json. Run it again to resume or to pick up what
changed since the last run. Progress: one line redrawn in place on a terminal, otherwise one JSON line per
event ({"time", "event", ...}) ending with {"event": "summary", ...}.

Options:
  --out DIR             output directory (required)
  --streams a,b         streams to read (default: all)
  --checkpoint FILE     state file (default: <DIR>/checkpoint.json)
  --follow              after catching up, keep polling Stripe for changes until Ctrl-C (or SIGTERM)
  --poll-interval-ms N  with --follow: pause between polls (default 5000)
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
  'fake-server': `Usage: stripe-source fake-server [--port N] [--seed S] [--records N] [--latency-ms N] [--rate-limit live|test|off] [--now DATE] [--accounts N]

Serves the fake Stripe on 127.0.0.1 and prints one JSON line {"url": ..., "apiKey": ..., "accountId": ..., "accounts": [...]};
stops on SIGINT or SIGTERM. --records is the total object count, spread over the streams. --now freezes
the fake's clock at an ISO 8601 date, so the same seed always serves the same objects. --accounts makes it a
Connect platform with N connected accounts of a long tail of sizes (their ids in "accounts").`,
  singer: `Usage: stripe-source singer --config FILE [--state FILE] [--catalog FILE]
       stripe-source singer --config FILE --discover

A Singer tap. --discover prints the catalog (every stream, none selected). Otherwise writes SCHEMA, RECORD
and STATE messages on stdout for the streams the catalog selects (metadata with breadcrumb [] and
"selected": true; all streams without --catalog), resuming from --state. Logs go to stderr as JSON lines.

Options:
  --config FILE      {"api_key": ..., "account_id", "start_date", "base_url", "max_requests_per_second",
                     "max_requests_per_second_per_endpoint", "timeout_ms", "max_retries", "min_retry_delay_ms",
                     "updates", "event_lag_seconds", "on_expired_cursor"}; unknown keys are an error
  --state FILE       the value of the last STATE message: {"stripe_source": <checkpoint>}
  --catalog FILE     the catalog with selections (--properties is accepted as an older name)
  --discover         print the catalog and exit
Deletes come as RECORDs {"id", "object", "deleted": true}. See docs/integrations.md.
Exit codes: 0 success, 1 failure during the run, 2 bad input (config, catalog, state), 130 interrupted.`,
  airbyte: `Usage: stripe-source airbyte spec
       stripe-source airbyte check --config FILE
       stripe-source airbyte discover --config FILE
       stripe-source airbyte read --config FILE --catalog FILE [--state FILE]

An Airbyte source: every output is an Airbyte message on stdout. spec prints the config's JSON Schema;
check verifies the key (CONNECTION_STATUS); discover prints every stream (CATALOG); read writes RECORD,
per-stream STATE and LOG messages for the configured catalog, resuming from --state (an array of
per-stream states). Errors are TRACE messages of type ERROR. The config keys are those of the singer
command. Deletes come as RECORDs with _ab_cdc_deleted_at set. See docs/integrations.md.
Exit codes: 0 success (also for check with status FAILED), 1 failure during the run, 2 bad input, 130 interrupted.`,
};

const AIRBYTE_COMMANDS: readonly AirbyteCommand[] = ['spec', 'check', 'discover', 'read'];

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

async function sourceFrom(values: FlagValues): Promise<StripeSource> {
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
  if (!HELP[command] || command === 'main') throw new UsageError(`unknown command "${command}". Commands: demo, sync, check, catalog, fake-server, singer, airbyte.`);
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  if (wantsHelp) {
    process.stdout.write(`${HELP[command]}\n`);
    return EXIT.ok;
  }
  switch (command) {
    case 'catalog': {
      const values = parseFlags(rest, { 'no-schemas': { type: 'boolean' } });
      const catalog = catalogEntries().map((entry) => (values['no-schemas'] ? { ...entry, jsonSchema: undefined } : entry));
      process.stdout.write(`${JSON.stringify({ streams: catalog }, null, 2)}\n`);
      return EXIT.ok;
    }
    case 'check': {
      const values = parseFlags(rest, SOURCE_FLAGS);
      const source = await sourceFrom(values);
      const result = await source.check({ signal: interruptSignal() });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return EXIT.ok;
    }
    case 'sync': {
      const values = parseFlags(rest, {
        ...SOURCE_FLAGS, out: { type: 'string' }, checkpoint: { type: 'string' }, follow: { type: 'boolean' }, 'poll-interval-ms': { type: 'string' },
      });
      if (typeof values.out !== 'string') throw new UsageError('sync needs --out DIR.');
      const pollIntervalMs = numberOption('poll-interval-ms', values['poll-interval-ms']);
      if (pollIntervalMs !== undefined && values.follow !== true) throw new UsageError('--poll-interval-ms only applies with --follow.');
      if (pollIntervalMs !== undefined && (!Number.isInteger(pollIntervalMs) || pollIntervalMs < 0)) throw new UsageError('--poll-interval-ms must be a whole number of milliseconds, 0 or more.');
      const source = await sourceFrom(values);
      await runSync({
        source, dir: values.out, statePath: stringOption(values.checkpoint), signal: interruptSignal(), out: process.stdout,
        ...(values.follow === true ? { follow: true } : {}),
        ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
      });
      return EXIT.ok;
    }
    case 'singer': {
      const values = parseFlags(rest, {
        config: { type: 'string' }, state: { type: 'string' }, catalog: { type: 'string' }, properties: { type: 'string' }, discover: { type: 'boolean' },
      });
      const configPath = stringOption(values.config);
      if (configPath === undefined) throw new UsageError('singer needs --config FILE.');
      if (values.catalog !== undefined && values.properties !== undefined) throw new UsageError('give --catalog or --properties, not both.');
      const catalogPath = stringOption(values.catalog) ?? stringOption(values.properties);
      await runSingerTap({
        configPath, discover: values.discover === true, out: process.stdout, err: process.stderr, signal: interruptSignal(),
        ...(catalogPath !== undefined ? { catalogPath } : {}),
        ...(typeof values.state === 'string' ? { statePath: values.state } : {}),
      });
      return EXIT.ok;
    }
    case 'airbyte': {
      const [sub, ...flags] = rest;
      if (!AIRBYTE_COMMANDS.includes(sub as AirbyteCommand)) throw new UsageError(`airbyte needs a command: ${AIRBYTE_COMMANDS.join(', ')}${sub === undefined ? '' : `, not "${sub}"`}.`);
      const values = parseFlags(flags, { config: { type: 'string' }, catalog: { type: 'string' }, state: { type: 'string' } });
      return await runAirbyte({
        command: sub as AirbyteCommand, out: process.stdout, signal: interruptSignal(),
        ...(typeof values.config === 'string' ? { configPath: values.config } : {}),
        ...(typeof values.catalog === 'string' ? { catalogPath: values.catalog } : {}),
        ...(typeof values.state === 'string' ? { statePath: values.state } : {}),
      });
    }
    case 'demo': {
      const values = parseFlags(rest, { out: { type: 'string' }, records: { type: 'string' }, seed: { type: 'string' }, fast: { type: 'boolean' } });
      // The fake Stripe (and msw under it) loads only for the commands that use it, so an install
      // without dev dependencies (the Airbyte image) runs every other command.
      const { runDemo } = await import('./demo.js');
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
      const values = parseFlags(rest, {
        port: { type: 'string' }, seed: { type: 'string' }, records: { type: 'string' },
        'latency-ms': { type: 'string' }, 'rate-limit': { type: 'string' }, now: { type: 'string' }, accounts: { type: 'string' },
      });
      const accounts = numberOption('accounts', values.accounts);
      if (accounts !== undefined && (!Number.isInteger(accounts) || accounts < 0)) throw new UsageError('--accounts must be a whole number, 0 or more.');
      const nowMs = typeof values.now === 'string' ? Date.parse(values.now) : undefined;
      if (nowMs !== undefined && Number.isNaN(nowMs)) throw new UsageError(`--now must be an ISO 8601 date, not "${String(values.now)}".`);
      const rateLimit = (values['rate-limit'] as string | undefined) ?? 'off';
      if (!['live', 'test', 'off'].includes(rateLimit)) throw new UsageError('--rate-limit must be live, test or off.');
      const { runFakeServer } = await import('./fake-server.js');
      await runFakeServer({
        port: numberOption('port', values.port) ?? 0,
        seed: numberOption('seed', values.seed) ?? 1,
        records: numberOption('records', values.records),
        latencyMs: numberOption('latency-ms', values['latency-ms']) ?? 0,
        rateLimit: rateLimit as 'live' | 'test' | 'off',
        nowMs,
        ...(accounts !== undefined ? { accounts } : {}),
        signal: interruptSignal(),
        out: process.stdout,
      });
      return EXIT.ok;
    }
    default:
      throw new UsageError(`unknown command "${command}".`);
  }
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
