/**
 * Objects the fake hands out share nested values with its templates and with each other, so everything
 * it hands out is frozen: a caller cannot corrupt the server's truth through a returned object.
 */
import { deepFreeze } from '../freeze.js';

export { deepFreeze };

/** A deep copy of a caller's value, frozen, so later changes on the caller's side don't leak in. */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}
