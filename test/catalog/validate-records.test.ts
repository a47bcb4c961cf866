import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { catalogEntries } from '../../src/catalog/entries.js';
import { STREAM_NAMES, type StreamName } from '../../src/catalog/streams.js';
import { demoRecordCounts } from '../../src/cli/demo-data.js';
import { collect, startFake } from '../source/helpers.js';

/** Ajv in strict mode, except for the vendor keyword `x-stripe-object` the generator writes. */
function validators(): Map<StreamName, ValidateFunction> {
  const ajv = new Ajv2020({ allErrors: true, strict: true, keywords: ['x-stripe-object'] });
  return new Map(catalogEntries().map((entry) => [entry.name, ajv.compile(entry.jsonSchema)]));
}

function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
}

describe('stream JSON Schemas', () => {
  it('every record the fake Stripe serves, in every stream, validates against its stream schema', async () => {
    // A Connect platform, so that the `accounts` stream has records too.
    const { source } = await startFake({ seed: 11, records: demoRecordCounts(3000), accounts: { acct_1ValidateA: { records: { customers: 2 } }, acct_1ValidateB: {} } });
    const validate = validators();
    const seen = new Map<string, number>();
    const failures: string[] = [];
    for (const message of await collect(source().read({ streams: STREAM_NAMES }))) {
      if (message.type !== 'record') continue;
      seen.set(message.stream, (seen.get(message.stream) ?? 0) + 1);
      const check = validate.get(message.stream)!;
      if (!check(message.record) && failures.length < 20) {
        failures.push(`${message.stream} ${(message.record as { id: string }).id}: ${describeErrors(check.errors)}`);
      }
    }
    expect(failures).toEqual([]);
    // Every stream contributed records, so no schema went untested.
    expect(STREAM_NAMES.filter((s) => !seen.get(s))).toEqual([]);
  });

  it('the validator rejects records that break a schema (so the test above can fail)', () => {
    const validate = validators();
    expect(validate.get('customers')!({ id: 'cus_1', object: 'charge', created: 1 })).toBe(false);
    expect(validate.get('charges')!({ id: 7, object: 'charge', created: 1 })).toBe(false);
    expect(validate.get('invoices')!({ id: 'in_1', object: 'invoice' })).toBe(false);
    expect(validate.get('prices')!({ id: 'price_1', object: 'price', created: 1, unit_amount: 'ten' })).toBe(false);
  });
});
