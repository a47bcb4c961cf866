import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/checkpoint/schema.js';
import { assertCheckpointBinding, loadCheckpoint } from '../../src/checkpoint/load.js';
import { CheckpointError } from '../../src/errors.js';

const KEY = 'sk_test_51KnownSecretKeyABCDEFGHijkl1234';

function valid(): Checkpoint {
  return {
    version: 1,
    account: 'acct_1Nv0FGQ9RKHgCVdK',
    livemode: false,
    streams: {
      customers: { partitions: { '': { through: 1_760_000_000, pending: [{ gte: 0, lt: 1_760_000_000, after: { id: 'cus_9s6XKzkNRiz8i3', created: 1_700_000_000 } }] } } },
      prices: {
        partitions: {
          'active=true': { through: 1_760_000_000, pending: [] },
          'active=false': { through: 1_760_000_000, pending: [{ gte: 1_600_000_000, lt: 1_760_000_000 }] },
        },
      },
    },
  };
}

function checkpointError(fn: () => unknown): CheckpointError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught, 'should have thrown').toBeInstanceOf(CheckpointError);
  const error = caught as CheckpointError;
  expect(error.name).toBe('CheckpointError');
  return error;
}

const RESTART = /To start over on purpose, call read\(\) without a checkpoint\./;

interface Case {
  readonly name: string;
  readonly input: () => unknown;
  readonly says: readonly RegExp[];
}

const withWindow = (window: unknown): unknown => {
  const c = valid() as unknown as { streams: { customers: { partitions: Record<string, { pending: unknown[] }> } } };
  c.streams.customers.partitions['']!.pending = [window];
  return c;
};

const CASES: readonly Case[] = [
  { name: 'truncated JSON string', input: () => JSON.stringify(valid()).slice(0, 57), says: [/not valid JSON \(57 characters; is it truncated\?\)/, /Restore the last complete copy/, RESTART] },
  { name: 'empty string', input: () => '', says: [/not valid JSON \(0 characters/] },
  { name: 'a number', input: () => 42, says: [/must be the object a checkpoint message carried, not number/, RESTART] },
  { name: 'a JSON string holding a string', input: () => '"hello"', says: [/not string/] },
  { name: 'an array', input: () => [valid()], says: [/not an array/] },
  { name: 'null', input: () => null, says: [/not null/] },
  { name: 'JSON null', input: () => 'null', says: [/not null/] },
  { name: 'undefined', input: () => undefined, says: [/not undefined/] },
  { name: 'unknown version', input: () => ({ ...valid(), version: 2 }), says: [/has version 2; this stripe-source reads version 1/, /Use the stripe-source release that wrote it/, RESTART] },
  { name: 'version as a string', input: () => ({ ...valid(), version: '1' }), says: [/has version "1"/] },
  { name: 'version missing', input: () => { const { version: _v, ...rest } = valid(); return rest; }, says: [/has version none/] },
  { name: 'account of wrong type', input: () => ({ ...valid(), account: 123 }), says: [/The checkpoint is damaged: account:/, /Restore the last complete copy/, RESTART] },
  { name: 'account not an acct_ id', input: () => ({ ...valid(), account: 'cus_123' }), says: [/damaged: account:/] },
  { name: 'livemode of wrong type', input: () => ({ ...valid(), livemode: 'false' }), says: [/damaged: livemode:/] },
  { name: 'streams of wrong type', input: () => ({ ...valid(), streams: [] }), says: [/damaged: streams:/] },
  { name: 'through negative', input: () => { const c = valid(); c.streams.customers!.partitions['']!.through = -1; return c; }, says: [/damaged: streams\.customers\.partitions\."\"\.through/] },
  { name: 'window bound not an integer', input: () => withWindow({ gte: 0.5, lt: 10 }), says: [/streams\.customers\.partitions\."\"\.pending\.0\.gte/] },
  { name: 'extra top-level field', input: () => ({ ...valid(), cursor: 'x' }), says: [/damaged: .*cursor/] },
  { name: 'extra window field', input: () => withWindow({ gte: 0, lt: 10, starting_after: 'cus_1' }), says: [/damaged: .*starting_after/] },
  { name: 'window with gte == lt', input: () => withWindow({ gte: 10, lt: 10 }), says: [/a window needs gte < lt/] },
  { name: 'window with gte > lt', input: () => withWindow({ gte: 20, lt: 10 }), says: [/a window needs gte < lt/] },
  { name: 'cursor before its window', input: () => withWindow({ gte: 10, lt: 20, after: { id: 'cus_1', created: 9 } }), says: [/a window's cursor must lie inside the window/] },
  { name: 'cursor at the window end', input: () => withWindow({ gte: 10, lt: 20, after: { id: 'cus_1', created: 20 } }), says: [/cursor must lie inside the window/] },
  { name: 'cursor with empty id', input: () => withWindow({ gte: 10, lt: 20, after: { id: '', created: 15 } }), says: [/pending\.0\.after\.id/] },
  { name: 'unknown stream name', input: () => ({ ...valid(), streams: { ...valid().streams, order_returns: { partitions: {} } } }), says: [/unknown stream "order_returns"/, /not written by this stripe-source/, RESTART] },
];

describe('loadCheckpoint: bad input', () => {
  for (const c of CASES) {
    it(`rejects ${c.name}`, () => {
      const error = checkpointError(() => loadCheckpoint(c.input()));
      for (const says of c.says) expect(error.message).toMatch(says);
    });
  }

  it('names the stream of an unknown stream', () => {
    const error = checkpointError(() => loadCheckpoint({ ...valid(), streams: { nope: { partitions: {} } } }));
    expect(error.stream).toBe('nope');
  });

  it('keeps a key out of the message even when the damaged checkpoint holds one', () => {
    const error = checkpointError(() => loadCheckpoint({ ...valid(), [KEY]: 1 }));
    expect(error.message).not.toContain(KEY);
    const error2 = checkpointError(() => loadCheckpoint({ ...valid(), streams: { [KEY]: { partitions: {} } } }));
    expect(error2.message).not.toContain(KEY);
  });

  it('lists at most 5 issues of a badly damaged checkpoint', () => {
    const pending = Array.from({ length: 1000 }, (_, i) => ({ gte: i + 1, lt: i }));
    const c = valid();
    (c.streams.customers!.partitions['']! as { pending: unknown[] }).pending = pending;
    const error = checkpointError(() => loadCheckpoint(c));
    expect(error.message.match(/a window needs gte < lt/g)).toHaveLength(5);
  });
});

describe('loadCheckpoint: good input', () => {
  it('round-trips a valid checkpoint through JSON', () => {
    const c = valid();
    expect(loadCheckpoint(JSON.stringify(c))).toEqual(c);
    expect(loadCheckpoint(JSON.parse(JSON.stringify(c)))).toEqual(c);
    expect(JSON.parse(JSON.stringify(loadCheckpoint(JSON.stringify(c))))).toEqual(c);
  });

  it('accepts a null account (a restricted key that may not read /v1/account) and no streams', () => {
    expect(loadCheckpoint({ version: 1, account: null, livemode: true, streams: {} })).toEqual({ version: 1, account: null, livemode: true, streams: {} });
  });
});

describe('assertCheckpointBinding', () => {
  it('accepts the same account and mode', () => {
    expect(() => assertCheckpointBinding(valid(), { account: 'acct_1Nv0FGQ9RKHgCVdK', livemode: false })).not.toThrow();
  });

  it('rejects another account, naming both', () => {
    const error = checkpointError(() => assertCheckpointBinding(valid(), { account: 'acct_2Other', livemode: false }));
    expect(error.message).toMatch(/belongs to account acct_1Nv0FGQ9RKHgCVdK, but this source reads acct_2Other/);
    expect(error.message).toMatch(/Use the checkpoint stored for acct_2Other/);
  });

  it('rejects the other mode', () => {
    const error = checkpointError(() => assertCheckpointBinding(valid(), { account: 'acct_1Nv0FGQ9RKHgCVdK', livemode: true }));
    expect(error.message).toMatch(/made in test mode, but the key is a live key/);
    const live = { ...valid(), livemode: true };
    expect(checkpointError(() => assertCheckpointBinding(live, { account: null, livemode: false })).message).toMatch(/made in live mode, but the key is a test key/);
  });

  it('accepts a null account on either side (restricted key without /v1/account)', () => {
    expect(() => assertCheckpointBinding({ ...valid(), account: null }, { account: 'acct_1Nv0FGQ9RKHgCVdK', livemode: false })).not.toThrow();
    expect(() => assertCheckpointBinding(valid(), { account: null, livemode: false })).not.toThrow();
    expect(() => assertCheckpointBinding({ ...valid(), account: null }, { account: null, livemode: false })).not.toThrow();
  });

  it('still checks the mode when the account is null', () => {
    checkpointError(() => assertCheckpointBinding({ ...valid(), account: null }, { account: null, livemode: true }));
  });
});
