import { appendFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSink } from '../../src/cli/file-sink.js';
import { CheckpointError, type Checkpoint, type Message } from '../../src/index.js';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const temp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sink-'));
  dirs.push(d);
  return d;
};

const cp = (n: number): Checkpoint => ({ version: 1, account: 'acct_1Test', livemode: false, streams: { customers: { partitions: { '': { through: n, pending: [] } } } } });
const rec = (id: string): Message => ({ type: 'record', stream: 'customers', record: { id, object: 'customer' } as never });

describe('FileSink', () => {
  it('writes records before the checkpoint that covers them, and nothing uncovered', async () => {
    const dir = temp();
    const sink = await FileSink.open({ dir });
    await sink.write(rec('cus_1'));
    await sink.write(rec('cus_2'));
    // Not yet covered by a checkpoint: not on disk.
    expect(readdirSync(dir)).toEqual([]);
    await sink.write({ type: 'checkpoint', checkpoint: cp(10) });
    await sink.write(rec('cus_3'));
    await sink.close();
    expect(readFileSync(join(dir, 'customers.ndjson'), 'utf8')).toBe('{"id":"cus_1","object":"customer"}\n{"id":"cus_2","object":"customer"}\n');
    const state = JSON.parse(readFileSync(join(dir, 'checkpoint.json'), 'utf8'));
    expect(state).toEqual({ version: 1, checkpoint: cp(10), files: { 'customers.ndjson': 70 } });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('removes a state temp file a kill left behind, and never reads it', async () => {
    const dir = temp();
    const first = await FileSink.open({ dir });
    await first.write(rec('cus_1'));
    await first.write({ type: 'checkpoint', checkpoint: cp(10) });
    await first.close();
    writeFileSync(join(dir, 'checkpoint.json.4242.tmp'), '{"half":');
    const again = await FileSink.open({ dir });
    expect(again.checkpoint).toEqual(cp(10));
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await again.close();
  });

  it('cuts data written after the last checkpoint (a crash between the two) back on open', async () => {
    const dir = temp();
    const sink = await FileSink.open({ dir });
    await sink.write(rec('cus_1'));
    await sink.write({ type: 'checkpoint', checkpoint: cp(10) });
    await sink.close();
    appendFileSync(join(dir, 'customers.ndjson'), '{"id":"cus_2","object":"customer"}\n{"id":"cus_3","obj');
    const reopened = await FileSink.open({ dir });
    expect(reopened.checkpoint).toEqual(cp(10));
    expect(readFileSync(join(dir, 'customers.ndjson'), 'utf8')).toBe('{"id":"cus_1","object":"customer"}\n');
    await reopened.close();
  });

  it('writes deletes the way Stripe renders a deleted object', async () => {
    const dir = temp();
    const sink = await FileSink.open({ dir });
    await sink.write({ type: 'delete', stream: 'customers', id: 'cus_9' });
    await sink.write({ type: 'checkpoint', checkpoint: cp(1) });
    await sink.close();
    expect(readFileSync(join(dir, 'customers.ndjson'), 'utf8')).toBe('{"id":"cus_9","object":"customer","deleted":true}\n');
  });

  it('refuses data files shorter than the checkpoint says, and a damaged state file', async () => {
    const dir = temp();
    const sink = await FileSink.open({ dir });
    await sink.write(rec('cus_1'));
    await sink.write({ type: 'checkpoint', checkpoint: cp(10) });
    await sink.close();
    truncateSync(join(dir, 'customers.ndjson'), 5);
    await expect(FileSink.open({ dir })).rejects.toBeInstanceOf(CheckpointError);
    writeFileSync(join(dir, 'checkpoint.json'), '{"version":1,"checkp');
    await expect(FileSink.open({ dir })).rejects.toThrow(/not valid JSON/);
  });

  it('a fresh sync (no checkpoint) empties leftover data files', async () => {
    const dir = temp();
    writeFileSync(join(dir, 'charges.ndjson'), '{"id":"ch_old"}\n');
    const sink = await FileSink.open({ dir });
    await sink.close();
    expect(readFileSync(join(dir, 'charges.ndjson'), 'utf8')).toBe('');
  });
});
