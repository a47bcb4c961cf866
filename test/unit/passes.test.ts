import { describe, expect, it } from 'vitest';
import type { StreamName } from '../../src/catalog/streams.js';
import type { StreamState } from '../../src/checkpoint/schema.js';
import { planPasses } from '../../src/plan/passes.js';

const fresh: StreamState = { partitions: { '': { through: 100, pending: [{ gte: 0, lt: 100 }] } } };
const resumed: StreamState = { partitions: { '': { through: 100, pending: [{ gte: 0, lt: 100, after: { id: 'in_1', created: 50 } }] } } };
const done: StreamState = { partitions: { '': { through: 100, pending: [] } } };

function states(entries: Array<[StreamName, StreamState]>): Map<StreamName, StreamState> {
  return new Map(entries);
}

describe('planPasses', () => {
  it('lets a parent and its child with equal states share one pass', () => {
    const passes = planPasses({
      selection: ['invoices', 'invoice_line_items'],
      states: states([['invoices', fresh], ['invoice_line_items', structuredClone(fresh)]]),
    });
    expect(passes).toHaveLength(1);
    expect(passes[0]!.driver.name).toBe('invoices');
    expect(passes[0]!.members).toEqual(['invoices', 'invoice_line_items']);
    expect(passes[0]!.state).toEqual(fresh);
  });

  it('shares one pass whatever the order of the selection', () => {
    const passes = planPasses({
      selection: ['invoice_line_items', 'invoices'],
      states: states([['invoices', fresh], ['invoice_line_items', fresh]]),
    });
    expect(passes).toHaveLength(1);
    expect(passes[0]!.driver.name).toBe('invoices');
    expect([...passes[0]!.members].sort()).toEqual(['invoice_line_items', 'invoices']);
  });

  it('gives a child whose state differs its own pass', () => {
    const passes = planPasses({
      selection: ['subscriptions', 'subscription_items'],
      states: states([['subscriptions', done], ['subscription_items', resumed]]),
    });
    expect(passes).toHaveLength(2);
    for (const p of passes) expect(p.driver.name).toBe('subscriptions');
    const byMember = Object.fromEntries(passes.map((p) => [p.members.join(','), p.state]));
    expect(byMember).toEqual({ subscriptions: done, subscription_items: resumed });
  });

  it('drives a child selected alone by its parent, with only the child as member', () => {
    const passes = planPasses({ selection: ['setup_attempts'], states: states([['setup_attempts', fresh]]) });
    expect(passes).toHaveLength(1);
    expect(passes[0]!.driver.name).toBe('setup_intents');
    expect(passes[0]!.members).toEqual(['setup_attempts']);
    expect(passes[0]!.state).toEqual(fresh);
  });

  it('gives independent streams one pass each, in selection order', () => {
    const passes = planPasses({
      selection: ['charges', 'customers'],
      states: states([['charges', fresh], ['customers', fresh]]),
    });
    expect(passes.map((p) => [p.driver.name, p.members])).toEqual([['charges', ['charges']], ['customers', ['customers']]]);
  });

  it('does not add unselected children or parents', () => {
    const passes = planPasses({ selection: ['invoices'], states: states([['invoices', fresh], ['invoice_line_items', fresh]]) });
    expect(passes).toHaveLength(1);
    expect(passes[0]!.members).toEqual(['invoices']);
  });

  it('throws when a selected stream has no planned state', () => {
    expect(() => planPasses({ selection: ['customers'], states: states([]) })).toThrow(/no planned state for customers/);
  });
});
