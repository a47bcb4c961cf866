import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { canonical } from '../source/helpers.js';

/**
 * What a reader of the CLI's NDJSON files ends up holding, stream by stream, replaying each file as the
 * docs describe: a record line upserts by id, a `"deleted": true` line removes, and a resync bracket keeps,
 * at its `end`, only the ids delivered since its `start`. With `unique`, an id delivered twice outside a
 * bracket fails the test (a full first sync must not duplicate).
 */
export function replayFiles(dir: string, options: { unique?: boolean } = {}): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ndjson'))) {
    const rows = new Map<string, string>();
    let bracket: { generation: number; seen: Set<string> } | undefined;
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean)) {
      const value = JSON.parse(line) as { id?: string; object?: string; deleted?: boolean; phase?: string; generation?: number };
      if (value.object === 'stripe_source.resync') {
        if (value.phase === 'start') {
          if (bracket?.generation !== value.generation) bracket = { generation: value.generation!, seen: new Set() };
        } else {
          expect(bracket?.generation, `${file}: a resync end without its start`).toBe(value.generation);
          for (const id of [...rows.keys()]) if (!bracket!.seen.has(id)) rows.delete(id);
          bracket = undefined;
        }
        continue;
      }
      const id = value.id!;
      if (value.deleted === true) {
        rows.delete(id);
        continue;
      }
      if (options.unique && !bracket) expect(rows.has(id), `duplicate ${id} in ${file}`).toBe(false);
      rows.set(id, canonical(value));
      bracket?.seen.add(id);
    }
    out.set(file.replace('.ndjson', ''), rows);
  }
  return out;
}
