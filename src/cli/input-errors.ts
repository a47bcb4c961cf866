/**
 * Errors of what a person or a framework handed the command line: flags, config, catalog and state files.
 * Both end a command with exit code 2 (bad input), apart from failures of the run itself.
 */

/** Wrong flags or a missing argument: the message is followed by a pointer to `--help`. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A config, catalog or state file that cannot be read or does not have the expected shape. */
export class InputFileError extends Error {
  override readonly name = 'InputFileError';
}
