import { readFile } from 'node:fs/promises';
import type { StripeSourceOptions } from '../config.js';
import { ConfigError } from '../errors.js';
import { StripeSource } from '../source.js';
import type { JsonSchema } from '../types.js';
import { InputFileError } from './input-errors.js';

/**
 * The config file of the Singer tap and the Airbyte source: the library's options in snake_case. One table
 * gives each key its option and its JSON Schema, so the Airbyte SPEC, the validation and the docs agree.
 */
interface ConfigKey {
  readonly option: Exclude<keyof StripeSourceOptions, 'now' | 'streams'>;
  readonly schema: JsonSchema;
}

export const CONFIG_KEYS = {
  api_key: {
    option: 'apiKey',
    schema: {
      type: 'string', title: 'API key', order: 0, airbyte_secret: true, pattern: '^(sk|rk)_(live|test)_[A-Za-z0-9]+$',
      description: 'A secret (sk_live_/sk_test_) or restricted (rk_live_/rk_test_) key. A read-only restricted key is enough.',
    },
  },
  account_id: {
    option: 'accountId',
    schema: {
      type: 'string', title: 'Account id', order: 1, pattern: '^acct_[A-Za-z0-9]+$', examples: ['acct_1Nv0FGQ9RKHgCVdK'],
      description: "The account to read: a connected account (sent as Stripe-Account), or the key's own. Default: the key's own account.",
    },
  },
  start_date: {
    option: 'startDate',
    schema: {
      type: 'string', title: 'Start date', order: 2, examples: ['2024-01-01', '2024-01-01T00:00:00Z'],
      pattern: '^\\d{4}-\\d{2}-\\d{2}(T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2}))?$',
      description: 'Oldest creation date to read (ISO 8601 date, or date and time with its offset). Default: all history.',
    },
  },
  base_url: {
    option: 'baseUrl',
    schema: { type: 'string', title: 'Base URL', order: 3, description: "Stripe's address; default https://api.stripe.com. Another origin for a proxy or a fake Stripe." },
  },
  max_requests_per_second: {
    option: 'maxRequestsPerSecond',
    schema: { type: 'number', title: 'Requests per second', order: 4, exclusiveMinimum: 0, maximum: 10000, description: 'Across all endpoints; default Stripe\'s limit: 100 in live mode, 25 in test mode.' },
  },
  max_requests_per_second_per_endpoint: {
    option: 'maxRequestsPerSecondPerEndpoint',
    schema: { type: 'number', title: 'Requests per second per endpoint', order: 5, exclusiveMinimum: 0, maximum: 10000, description: 'To any one endpoint; default Stripe\'s limit, 25.' },
  },
  timeout_ms: {
    option: 'timeoutMs',
    schema: { type: 'integer', title: 'Request timeout (ms)', order: 6, minimum: 100, maximum: 600000, description: 'Time limit of one request; default 60000. Timeouts are retried.' },
  },
  max_retries: {
    option: 'maxRetries',
    schema: { type: 'integer', title: 'Retries', order: 7, minimum: 0, maximum: 50, description: 'Retries of one request on 429, 5xx, network errors and timeouts; default 8.' },
  },
  min_retry_delay_ms: {
    option: 'minRetryDelayMs',
    schema: { type: 'number', title: 'First retry delay (ms)', order: 8, minimum: 0, maximum: 60000, description: 'Doubled on each further attempt; default 500.' },
  },
  updates: {
    option: 'updates',
    schema: { type: 'string', title: 'Updated objects from', order: 9, enum: ['event', 'refetch'], description: '"event" (default): from the event when its API version matches, else fetched again; "refetch": always fetched again.' },
  },
  event_lag_seconds: {
    option: 'eventLagSeconds',
    schema: { type: 'integer', title: 'Event lag (s)', order: 10, minimum: 0, maximum: 86400, description: 'Events are read up to this many seconds before now (Stripe lists events eventually consistently); default 60.' },
  },
  on_expired_cursor: {
    option: 'onExpiredCursor',
    schema: { type: 'string', title: 'On expired change cursor', order: 11, enum: ['resync', 'error'], description: 'A change cursor older than 30 days: "resync" (default) reads the stream again in full; "error" stops.' },
  },
  relist_interval_seconds: {
    option: 'relistIntervalSeconds',
    schema: { type: 'integer', title: 'Re-list interval (s)', order: 12, minimum: 0, maximum: 2678400, description: 'Streams Stripe sends no events for are read again in full at most this often; default 0 (every run).' },
  },
} as const satisfies Record<string, ConfigKey>;

export type ConfigKeyName = keyof typeof CONFIG_KEYS;
const KEY_NAMES = Object.keys(CONFIG_KEYS) as ConfigKeyName[];

/** The config as a JSON Schema (draft-07, as Airbyte's SPEC wants it). */
export function configJsonSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'stripe-source',
    type: 'object',
    required: ['api_key'],
    additionalProperties: false,
    properties: Object.fromEntries(KEY_NAMES.map((key) => [key, CONFIG_KEYS[key].schema])),
  };
}

/** Reads and parses a JSON file handed to a protocol command (`what` names it in errors: "--config"). */
export async function readJsonFile(options: { path: string; what: string }): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(options.path, 'utf8');
  } catch (error) {
    throw new InputFileError(`cannot read ${options.what} file ${options.path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}.`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InputFileError(`${options.what} file ${options.path} is not valid JSON.`);
  }
}

/**
 * The library's options from a config object. Unknown keys are an error (a typo would otherwise be ignored
 * silently); keys set to null count as absent, as frameworks write unset settings that way.
 */
export function sourceOptionsFromConfig(config: unknown): StripeSourceOptions {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError(['the config must be a JSON object such as {"api_key": "rk_live_..."}.']);
  }
  const problems: string[] = [];
  const options: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (!Object.hasOwn(CONFIG_KEYS, key)) {
      problems.push(`unknown config key "${key}". Known keys: ${KEY_NAMES.join(', ')}.`);
    } else if (value !== null) {
      options[CONFIG_KEYS[key as ConfigKeyName].option] = value;
    }
  }
  if (options.apiKey === undefined) problems.push('config key "api_key" is required: a secret (sk_...) or restricted (rk_...) Stripe key.');
  if (problems.length > 0) throw new ConfigError(problems);
  return options as unknown as StripeSourceOptions;
}

/** A source from a config object; option names in its errors are the config's snake_case keys. */
export function sourceFromConfig(config: unknown): StripeSource {
  const options = sourceOptionsFromConfig(config);
  try {
    return new StripeSource(options);
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(error.issues.map(snakeCaseNames));
    throw error;
  }
}

function snakeCaseNames(issue: string): string {
  let text = issue;
  for (const key of KEY_NAMES) text = text.replace(new RegExp(`\\b${CONFIG_KEYS[key].option}\\b`, 'g'), key);
  return text;
}
