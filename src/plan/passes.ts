import { childrenOf, getStream, type StreamDefinition, type StreamName } from '../catalog/streams.js';
import type { StreamState } from '../checkpoint/schema.js';

/**
 * One walk over a top-level list that serves several streams at once: the list's own stream and the child
 * streams hanging off it. Streams share a pass only when their states are equal, so each keeps exactly
 * its own progress even when the selection changes between runs.
 */
export interface PassPlan {
  readonly driver: StreamDefinition;
  /** Streams this pass delivers (the driver only when it is selected itself). */
  readonly members: readonly StreamName[];
  readonly state: StreamState;
}

export function planPasses(options: { selection: readonly StreamName[]; states: ReadonlyMap<StreamName, StreamState> }): PassPlan[] {
  const { selection, states } = options;
  const selected = new Set(selection);
  const drivers: StreamDefinition[] = [];
  for (const name of selection) {
    const def = getStream(name);
    const driver = def.parent ? getStream(def.parent.stream as StreamName) : def;
    if (!drivers.includes(driver)) drivers.push(driver);
  }
  const passes: PassPlan[] = [];
  for (const driver of drivers) {
    const candidates = [driver, ...childrenOf(driver.name)].map((d) => d.name as StreamName).filter((n) => selected.has(n));
    const groups = new Map<string, StreamName[]>();
    for (const name of candidates) {
      const state = states.get(name);
      if (!state) throw new Error(`no planned state for ${name}`); // the caller plans every selected stream
      const key = JSON.stringify(state);
      groups.set(key, [...(groups.get(key) ?? []), name]);
    }
    for (const members of groups.values()) {
      passes.push({ driver, members, state: states.get(members[0]!)! });
    }
  }
  return passes;
}
