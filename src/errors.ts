import { redactSecrets } from './redact.js';

/**
 * One small tree of errors. Hosts match on `name` (or `instanceof`); every error carries what is known of
 * where it happened (stream, Stripe's request id, HTTP status) and never the API key.
 */

export interface StripeSourceErrorOptions {
  /** The stream being read when the error happened. */
  stream?: string;
  /** Stripe's `Request-Id` of the failing response, for Stripe support. */
  requestId?: string;
  /** HTTP status of the failing response. */
  statusCode?: number;
  /** Stripe's error `code` (`rate_limit`, `resource_missing`, ...). */
  code?: string;
  cause?: unknown;
}

export class StripeSourceError extends Error {
  override readonly name: string = 'StripeSourceError';
  readonly stream: string | undefined;
  readonly requestId: string | undefined;
  readonly statusCode: number | undefined;
  readonly code: string | undefined;

  constructor(message: string, options: StripeSourceErrorOptions = {}) {
    super(redactSecrets(message), options.cause === undefined ? undefined : { cause: options.cause });
    this.stream = options.stream;
    this.requestId = options.requestId;
    this.statusCode = options.statusCode;
    this.code = options.code;
  }
}

/** The options given to `new StripeSource()` (or a CLI flag) are wrong. Lists every problem at once. */
export class ConfigError extends StripeSourceError {
  override readonly name = 'ConfigError';
  /** One line per problem, each naming the option. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[], options: StripeSourceErrorOptions = {}) {
    super(
      issues.length === 1
        ? `Invalid stripe-source options: ${issues[0]}`
        : `Invalid stripe-source options:\n- ${issues.join('\n- ')}`,
      options,
    );
    this.issues = issues.map(redactSecrets);
  }
}

/** Stripe answered 401: the key is wrong, revoked or expired. */
export class AuthenticationError extends StripeSourceError {
  override readonly name = 'AuthenticationError';
}

/** Stripe answered 403: a restricted key lacks a permission (named in `permission` when Stripe says it). */
export class PermissionError extends StripeSourceError {
  override readonly name = 'PermissionError';
  readonly permission: string | undefined;

  constructor(message: string, options: StripeSourceErrorOptions & { permission?: string } = {}) {
    super(message, options);
    this.permission = options.permission;
  }
}

/** Stripe kept answering 429 after every retry. */
export class RateLimitError extends StripeSourceError {
  override readonly name = 'RateLimitError';
}

/** Any other failure of a Stripe request: 400, 404, 5xx after retries, malformed responses, network. */
export class StripeApiError extends StripeSourceError {
  override readonly name = 'StripeApiError';
}

/** A checkpoint handed back to `read()` is damaged, of an unknown version, or made for another account. */
export class CheckpointError extends StripeSourceError {
  override readonly name: string = 'CheckpointError';
}

/**
 * A stream's change cursor is older than Stripe's 30-day event retention and `onExpiredCursor` is
 * `'error'`: its changes since then cannot be read from events. Thrown before any data is read.
 */
export class ExpiredCursorError extends CheckpointError {
  override readonly name = 'ExpiredCursorError';
  /** The streams whose cursor expired. */
  readonly streams: readonly string[];

  constructor(message: string, options: StripeSourceErrorOptions & { streams: readonly string[] }) {
    super(message, options);
    this.streams = options.streams;
  }
}

/**
 * Stripe's answer for an id that does not exist (any more): 404 for a retrieval, and 400 when the id is a
 * list's `starting_after` cursor (a deleted object). Both carry `code: 'resource_missing'`.
 */
export function isResourceMissing(error: unknown): error is StripeSourceError {
  return error instanceof StripeSourceError && (error.statusCode === 404 || error.statusCode === 400) && error.code === 'resource_missing';
}
