import { CheckpointError, ConfigError, StripeSourceError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { InputFileError, UsageError } from './input-errors.js';

/** Exit codes: success, a failure during the run, bad input (options, files, checkpoint, usage), interrupted. */
export const EXIT = { ok: 0, failure: 1, badInput: 2, interrupted: 130 } as const;

/** Whether an error is the caller's input to fix (exit 2) rather than a failure of the run (exit 1). */
export function isBadInput(error: unknown): boolean {
  return error instanceof UsageError || error instanceof InputFileError || error instanceof ConfigError || error instanceof CheckpointError;
}

/** The message and exit code for an error that ended a command; never the key. */
export function describeFailure(error: unknown): { code: number; message: string } {
  if (error instanceof UsageError) return { code: EXIT.badInput, message: `stripe-source: ${error.message} (see --help)` };
  if (isBadInput(error)) return { code: EXIT.badInput, message: redactSecrets(`${(error as Error).name}: ${(error as Error).message}`) };
  if (error instanceof StripeSourceError) return { code: EXIT.failure, message: `${error.name}: ${error.message}` };
  return { code: EXIT.failure, message: redactSecrets(error instanceof Error ? `${error.name}: ${error.message}` : String(error)) };
}
