import { isStreamName } from '../catalog/streams.js';
import { CheckpointError } from '../errors.js';
import { redactSecrets } from '../redact.js';
import { CHECKPOINT_VERSION, checkpointSchema, type Checkpoint } from './schema.js';

export interface CheckpointBinding {
  /** The account being read; null when the key may not read `/v1/account` and no accountId was given. */
  readonly account: string | null;
  readonly livemode: boolean;
}

const RESTART_HINT = 'To start over on purpose, call read() without a checkpoint.';

/**
 * Validates a checkpoint handed back by the host. Anything wrong is a CheckpointError that says what,
 * never a silent fresh start: a silently restarted sync re-reads everything, and a foreign checkpoint
 * would skip data.
 */
export function loadCheckpoint(input: unknown): Checkpoint {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (error) {
      throw new CheckpointError(
        `The checkpoint is not valid JSON (${input.length} characters; is it truncated?). Restore the last complete copy you saved. ${RESTART_HINT}`,
        { cause: error },
      );
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CheckpointError(`The checkpoint must be the object a checkpoint message carried, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}. ${RESTART_HINT}`);
  }
  const version = (value as { version?: unknown }).version;
  if (version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(
      `The checkpoint has version ${JSON.stringify(version) ?? 'none'}; this stripe-source reads version ${CHECKPOINT_VERSION}. Use the stripe-source release that wrote it, or start over. ${RESTART_HINT}`,
    );
  }
  const parsed = checkpointSchema.safeParse(value);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 5).map((i) => `${i.path.map((p) => (p === '' ? '""' : String(p))).join('.') || '(top)'}: ${i.message}`);
    throw new CheckpointError(
      redactSecrets(`The checkpoint is damaged: ${where.join('; ')}. Restore the last complete copy you saved. ${RESTART_HINT}`),
      { cause: parsed.error },
    );
  }
  const checkpoint = parsed.data;
  const groups = [checkpoint.streams, ...Object.values(checkpoint.accounts ?? {}).map((a) => a.streams)];
  for (const stream of groups.flatMap((streams) => Object.keys(streams))) {
    if (!isStreamName(stream)) {
      throw new CheckpointError(`The checkpoint holds an unknown stream "${stream}": it was not written by this stripe-source for this catalog. ${RESTART_HINT}`, { stream });
    }
  }
  return checkpoint;
}

/** A checkpoint resumes only the account and mode it was made for. */
export function assertCheckpointBinding(checkpoint: Checkpoint, binding: CheckpointBinding): void {
  if (checkpoint.livemode !== binding.livemode) {
    throw new CheckpointError(
      `The checkpoint was made in ${checkpoint.livemode ? 'live' : 'test'} mode, but the key is a ${binding.livemode ? 'live' : 'test'} key. Use the checkpoint that belongs to this key's mode. ${RESTART_HINT}`,
    );
  }
  if (checkpoint.account !== null && binding.account !== null && checkpoint.account !== binding.account) {
    throw new CheckpointError(
      `The checkpoint belongs to account ${checkpoint.account}, but this source reads ${binding.account}. Use the checkpoint stored for ${binding.account}. ${RESTART_HINT}`,
    );
  }
}
