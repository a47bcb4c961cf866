/**
 * Objects the fake hands out share nested values with its templates and with each other, so everything
 * it hands out is frozen: a caller cannot corrupt the server's truth through a returned object.
 */

export function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const key in value) deepFreeze((value as Record<string, unknown>)[key]);
  return Object.freeze(value);
}

/** A deep copy of a caller's value, frozen, so later changes on the caller's side don't leak in. */
export function frozenCopy<T>(value: T): T {
  return deepFreeze(structuredClone(value));
}
