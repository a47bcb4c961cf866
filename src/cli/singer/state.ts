import { InputFileError } from '../input-errors.js';
import type { SingerState } from './messages.js';

/**
 * The checkpoint inside a `--state` file: the `value` of the last STATE message (`{"stripe_source": ...}`),
 * or that whole message. An empty object is a fresh start. The checkpoint itself is checked by the source.
 */
export function checkpointFromSingerState(state: unknown, path: string): unknown {
  if (typeof state !== 'object' || state === null || Array.isArray(state)) {
    throw new InputFileError(`state ${path} must be a JSON object: the value of this tap's last STATE message.`);
  }
  const value = (state as { type?: unknown; value?: unknown }).type === 'STATE' ? (state as { value: unknown }).value : state;
  if (typeof value === 'object' && value !== null && Object.keys(value).length === 0) return undefined;
  if (typeof value === 'object' && value !== null && Object.hasOwn(value, 'stripe_source')) return (value as SingerState).stripe_source;
  throw new InputFileError(`state ${path} is not this tap's state: expected {"stripe_source": <checkpoint>} as its STATE messages carry, or {} to start over.`);
}
