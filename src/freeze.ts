/**
 * Freezes a plain JSON value in place, all the way down, and returns it. A part already frozen is taken as
 * frozen all the way down and not walked again, so freezing a value built by copy-on-write from a frozen
 * one costs only the parts that are new.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
