import { setTimeout as delay } from 'node:timers/promises';
import { catalogEntries } from './catalog/entries.js';
import { byScope, getStream, type StreamDefinition, type StreamName } from './catalog/streams.js';
import { assertCheckpointBinding, loadCheckpoint } from './checkpoint/load.js';
import { CHECKPOINT_VERSION, type Checkpoint, type StreamState } from './checkpoint/schema.js';
import { resolveConfig, streamSelectionProblems, type ResolvedConfig, type StripeSourceOptions } from './config.js';
import { CheckpointError, ConfigError, ExpiredCursorError, PermissionError, StripeApiError } from './errors.js';
import { SourceEmitter } from './events.js';
import { deepFreeze } from './freeze.js';
import { StripeHttp } from './http/client.js';
import { planPasses } from './plan/passes.js';
import { planStream, type ResyncReason } from './plan/stream-plan.js';
import { planUnits, unitState, workUnitSchema, type WorkUnit } from './plan/units.js';
import { partitionParams, partitionKeys } from './plan/windows.js';
import { flattenBatches, type Batch } from './read/batches.js';
import { discoverAccounts } from './read/accounts.js';
import { runChanges, type ChangesOutcome } from './read/changes.js';
import { fanOut, type AccountRead } from './read/fan-out.js';
import { runRead } from './read/run.js';
import type { CatalogEntry, CheckResult, Message, ReadOptions, StreamAccess } from './types.js';

const DEFAULT_POLL_INTERVAL_MS = 5_000;
/** While following, streams without events are read again in full at most this often by default. */
const FOLLOW_RELIST_SECONDS = 900;
/** A relist interval no finished read is within: re-reads nothing. */
const NEVER_RELIST_SECONDS = Number.MAX_SAFE_INTEGER;
const DEFAULT_UNITS_PER_STREAM = 16;

/** Work units for a job queue, and the checkpoint to continue from once all are read. */
export interface WorkPlan {
  readonly units: readonly WorkUnit[];
  readonly checkpoint: Checkpoint;
}

interface ResolvedAccount {
  /** The account the data belongs to; null when it could not be learned. */
  readonly id: string | null;
  /** When the account was created (unix seconds), when known: no object of it is older. */
  readonly created: number | undefined;
  /** Set when reading a connected account: sent as `Stripe-Account`. */
  readonly stripeAccount: string | undefined;
}

/**
 * Reads a Stripe account as typed messages with checkpoints. Progress, retries and warnings are events on
 * the source itself (`source.on('progress', ...)`), so the message stream stays pure data.
 */
export class StripeSource extends SourceEmitter {
  private readonly config: ResolvedConfig;
  private readonly http: StripeHttp;
  private account: Promise<ResolvedAccount> | undefined;

  /** Checks every option before anything is sent; all problems come in one ConfigError. */
  constructor(options: StripeSourceOptions) {
    super();
    this.config = resolveConfig(options);
    this.http = StripeHttp.create(this.config, this);
  }

  /** Requests this source has sent so far, retries included. */
  get requestCount(): number {
    return this.http.requests;
  }

  /** Live or test, from the key. */
  get mode(): 'live' | 'test' {
    return this.config.mode;
  }

  /** The stream table, each with its JSON Schema. */
  catalog(): CatalogEntry[] {
    return catalogEntries();
  }

  /**
   * Verifies the key and reports, for every selected stream, whether it may be read: one `limit=1` request
   * per list. A forbidden stream is reported, never thrown; a rejected key throws AuthenticationError.
   */
  async check(options: { signal?: AbortSignal } = {}): Promise<CheckResult> {
    const account = await this.resolveAccount(options.signal);
    const http = this.http.forAccount(account.stripeAccount);
    const probes = new Map<string, Promise<Omit<StreamAccess, 'stream'>>>();
    const probe = (def: StreamDefinition): Promise<Omit<StreamAccess, 'stream'>> => {
      const known = probes.get(def.name);
      if (known) return known;
      const first = partitionParams(partitionKeys(def)[0]!);
      const result = http
        .get({ stream: def.name, path: def.path, query: { limit: 1, ...def.params, ...first }, signal: options.signal })
        .then(
          (): Omit<StreamAccess, 'stream'> => ({ status: 'ok' }),
          (error: unknown): Omit<StreamAccess, 'stream'> => {
            if (error instanceof PermissionError) {
              return { status: 'forbidden', ...(error.permission ? { permission: error.permission } : {}), message: error.message };
            }
            throw error;
          },
        );
      probes.set(def.name, result);
      return result;
    };
    const streams = await Promise.all(
      this.config.streams.map(async (name): Promise<StreamAccess> => {
        const def = getStream(name);
        // Children are read through their parent's list with the same permission.
        const target = def.parent ? getStream(def.parent.stream as StreamName) : def;
        return { stream: name, ...(await probe(target)) };
      }),
    );
    return { accountId: account.id, mode: this.config.mode, keyKind: this.config.keyKind, streams };
  }

  /**
   * Every object of the selected streams as messages, each page followed by a checkpoint. Hand the last
   * checkpoint you persisted back in `checkpoint` to resume where it stopped.
   */
  read(options: ReadOptions = {}): AsyncGenerator<Message, void, undefined> {
    return flattenBatches(this.readMessages(options));
  }

  private async *readMessages(options: ReadOptions): AsyncGenerator<Batch<Message>, void, undefined> {
    const selection = this.selection(options.streams);
    const pollIntervalMs = followInterval(options);
    // Structure first, before any request: a damaged checkpoint is the host's problem to fix, not Stripe's.
    const loaded = options.checkpoint === undefined || options.checkpoint === null ? undefined : loadCheckpoint(options.checkpoint);
    const { controller, unlink } = linkedAbort(options.signal);
    try {
      const account = await this.resolveAccount(controller.signal);
      const livemode = this.config.mode === 'live';
      if (loaded) assertCheckpointBinding(loaded, { account: account.id, livemode });
      let checkpoint: Checkpoint = {
        version: CHECKPOINT_VERSION,
        account: account.id ?? loaded?.account ?? null,
        livemode,
        // Streams not selected this time keep their state, so narrowing a selection loses nothing.
        streams: { ...loaded?.streams },
        ...(loaded?.accounts ? { accounts: loaded.accounts } : {}),
      };
      let repeat = false;
      for (;;) {
        // A cycle repeated at once for an expired cursor must not read the relist streams it just read again.
        const relistIntervalSeconds: number = repeat ? NEVER_RELIST_SECONDS : this.config.relistIntervalSeconds ?? (pollIntervalMs === undefined ? 0 : FOLLOW_RELIST_SECONDS);
        const outcome: ChangesOutcome = this.config.accounts
          ? yield* this.fanOutCycle({ selection, checkpoint, platform: account, signal: controller.signal, relistIntervalSeconds })
          : yield* this.readCycle({ selection, checkpoint, account, signal: controller.signal, relistIntervalSeconds });
        checkpoint = outcome.checkpoint;
        // A cursor that expired while the read ran is dealt with now, not left for the next run.
        repeat = outcome.expired.length > 0;
        if (repeat) continue;
        if (pollIntervalMs === undefined) return;
        await delay(pollIntervalMs, undefined, { signal: controller.signal });
      }
    } catch (error) {
      // Aborting is how a follow read is meant to end; any other failure still surfaces.
      const aborted = options.signal?.aborted === true && (error === options.signal.reason || (error as { name?: unknown } | null)?.name === 'AbortError');
      if (pollIntervalMs !== undefined && aborted) return;
      throw error;
    } finally {
      unlink();
      // Stops whatever is still in flight when the host stops reading early (a prefetched events slice).
      controller.abort(new DOMException('The read was stopped.', 'AbortError'));
    }
  }

  /**
   * One catch-up: every stream's list reading (first reads, unfinished reads, new objects, re-reads), then
   * one pass over the events for every stream kept current from them.
   */
  private async *readCycle(options: {
    selection: readonly StreamName[];
    checkpoint: Checkpoint;
    account: ResolvedAccount;
    signal: AbortSignal;
    /** The client to read with; default: the source's, speaking for the account. */
    http?: StripeHttp;
    relistIntervalSeconds: number;
  }): AsyncGenerator<Batch<Message>, ChangesOutcome, undefined> {
    const { selection, account, signal } = options;
    const nowSeconds = Math.floor(this.config.now() / 1000);
    const states = new Map<StreamName, StreamState>();
    const resyncs: Array<{ stream: StreamName; reason: ResyncReason; since: number | undefined }> = [];
    for (const name of selection) {
      const existing = options.checkpoint.streams[name];
      const plan = planStream({
        def: getStream(name), existing, startSeconds: this.config.startSeconds, nowSeconds,
        lookbackSeconds: this.config.eventLagSeconds, relistIntervalSeconds: options.relistIntervalSeconds,
        accountCreated: account.created,
      });
      states.set(name, plan.state);
      if (plan.resync && plan.resync !== 'relist') resyncs.push({ stream: name, reason: plan.resync, since: existing?.changes?.since });
    }
    if (resyncs.length > 0 && this.config.onExpiredCursor === 'error') {
      throw new ExpiredCursorError(
        `The change cursor of ${resyncs.map((r) => `${r.stream} (${describeCursor(r.since)})`).join(', ')} cannot be resumed: Stripe keeps events for 30 days only, so changes since then (deletions above all) can no longer be read. Nothing was read. Read these streams again in full with onExpiredCursor: 'resync' (the default), which brackets the fresh read with resync messages so you can drop what was deleted meanwhile.`,
        { streams: resyncs.map((r) => r.stream) },
      );
    }
    for (const { stream, reason, since } of resyncs) {
      this.emit('warning', {
        stream,
        ...(this.config.accounts && account.stripeAccount ? { account: account.stripeAccount } : {}),
        code: reason,
        message: `${account.stripeAccount && this.config.accounts ? `${account.stripeAccount} ` : ''}${stream}: the change cursor (${describeCursor(since)}) cannot be resumed from Stripe's events, which are kept for 30 days; the stream is read again in full inside a resync bracket. Drop what you hold of ${stream} that the bracket does not deliver.`,
      });
    }
    const checkpoint: Checkpoint = { ...options.checkpoint, streams: { ...options.checkpoint.streams, ...Object.fromEntries(states) } };
    const http = options.http ?? this.http.forAccount(account.stripeAccount);
    // The list readers get their own signal: stopping them when the lists are done must not stop the events pass.
    const readers = new AbortController();
    const listed = yield* runRead({
      ctx: { http, events: this, signal: AbortSignal.any([signal, readers.signal]) },
      passes: planPasses({ selection, states }),
      checkpoint,
      stopReaders: () => readers.abort(new DOMException('The read was stopped.', 'AbortError')),
    });
    const now = Math.floor(this.config.now() / 1000);
    return yield* runChanges({
      ctx: { http, events: this, signal },
      checkpoint: listed,
      selection,
      untilSeconds: now - this.config.eventLagSeconds,
      nowSeconds: now,
      updates: this.config.updates,
    });
  }

  /**
   * One catch-up of a Connect platform: the platform-level streams once, then every connected account's
   * streams with `Stripe-Account` and that account's own rate budget, several accounts at a time. Messages
   * come in whole batches per account, tagged with it; every checkpoint holds every account's progress.
   */
  private async *fanOutCycle(options: {
    selection: readonly StreamName[];
    checkpoint: Checkpoint;
    platform: ResolvedAccount;
    signal: AbortSignal;
    relistIntervalSeconds: number;
  }): AsyncGenerator<Batch<Message>, ChangesOutcome, undefined> {
    const { selection, platform, signal, relistIntervalSeconds } = options;
    const connected = await discoverAccounts({ http: this.http, accounts: this.config.accounts!, signal });
    const known = new Set(connected.map((a) => a.id));
    for (const id of Object.keys(options.checkpoint.accounts ?? {})) {
      if (!known.has(id)) {
        this.emit('warning', { account: id, code: 'account_gone', message: `${id} is in the checkpoint but no longer among the accounts read; its progress is kept, and nothing of it is read.` });
      }
    }
    const scopes = byScope(selection);
    const catchUp = (selected: readonly StreamName[], account: ResolvedAccount, streams: Checkpoint['streams'], http?: StripeHttp): AccountRead['read'] =>
      () => this.catchUp({ selection: selected, account, signal, relistIntervalSeconds, http, checkpoint: { version: CHECKPOINT_VERSION, livemode: options.checkpoint.livemode, account: account.id, streams } });
    const reads: AccountRead[] = [];
    if (scopes.platform.length > 0) reads.push({ account: null, read: catchUp(scopes.platform, platform, options.checkpoint.streams) });
    if (scopes.account.length > 0) {
      for (const account of connected) {
        const resolved: ResolvedAccount = { id: account.id, created: account.created, stripeAccount: account.id };
        reads.push({ account: account.id, read: catchUp(scopes.account, resolved, options.checkpoint.accounts?.[account.id]?.streams ?? {}, this.http.forConnectedAccount(account.id)) });
      }
    }
    // Parts carried over unchanged are shared by the checkpoints yielded, like the parts the reads replace: frozen.
    deepFreeze(options.checkpoint.streams);
    for (const state of Object.values(options.checkpoint.accounts ?? {})) deepFreeze(state);
    let checkpoint: Checkpoint = { ...options.checkpoint, accounts: { ...options.checkpoint.accounts } };
    let yielded = false;
    for await (const batch of fanOut({
      reads, concurrency: this.config.accountConcurrency, signal,
      onSkipped: (account, error) => this.emit('warning', {
        ...(account ? { account } : {}),
        code: 'account_skipped',
        message: `${account ?? 'The platform'} was skipped: ${error.message} Its progress is kept; the next run tries again.`,
      }),
    })) {
      const messages: Message[] = [];
      for (const message of batch.messages) {
        if (message.type !== 'checkpoint') {
          messages.push(batch.account === null ? message : { ...message, account: batch.account });
          continue;
        }
        // The account's part is frozen already (each account's read hands out frozen checkpoints), so it
        // can be shared by every later combined checkpoint instead of copying all accounts at each page,
        // which cost 42% of the CPU of a 200-account read.
        const streams = deepFreeze(message.checkpoint.streams);
        checkpoint = batch.account === null
          ? { ...checkpoint, streams }
          : { ...checkpoint, accounts: { ...checkpoint.accounts, [batch.account]: Object.freeze({ streams }) } };
        messages.push({ type: 'checkpoint', checkpoint: Object.freeze({ ...checkpoint, accounts: Object.freeze({ ...checkpoint.accounts }) }) });
      }
      batch.messages.length = 0;
      yield messages;
      yielded = true;
      // Taken: nothing of this batch may stay reachable while the next one is awaited.
      messages.length = 0;
    }
    if (!yielded) yield [{ type: 'checkpoint', checkpoint: deepFreeze(checkpoint) }];
    return { checkpoint, expired: [] };
  }

  /** One account's catch-up in a fan-out, repeated at once while a cursor expires under it (the repeat re-reads it in a bracket). */
  private async *catchUp(options: {
    selection: readonly StreamName[];
    checkpoint: Checkpoint;
    account: ResolvedAccount;
    signal: AbortSignal;
    http: StripeHttp | undefined;
    relistIntervalSeconds: number;
  }): AsyncGenerator<Batch<Message>, void, undefined> {
    let { checkpoint, relistIntervalSeconds } = options;
    for (;;) {
      const outcome = yield* this.readCycle({ ...options, checkpoint, relistIntervalSeconds });
      if (outcome.expired.length === 0) return;
      checkpoint = outcome.checkpoint;
      relistIntervalSeconds = NEVER_RELIST_SECONDS;
    }
  }

  /**
   * Cuts the first full read of the selected streams into work units (stream x window, plain JSON) for a
   * job queue: read each with `readUnit()`, on any worker. Once every unit is read, `checkpoint` starts
   * incremental runs: `read({ checkpoint })` then replays what changed since `plan()` was called.
   */
  async plan(options: { streams?: readonly StreamName[]; unitsPerStream?: number; signal?: AbortSignal } = {}): Promise<WorkPlan> {
    const selection = this.selection(options.streams);
    const unitsPerStream = options.unitsPerStream ?? DEFAULT_UNITS_PER_STREAM;
    if (!Number.isInteger(unitsPerStream) || unitsPerStream < 1 || unitsPerStream > 10_000) {
      throw new ConfigError(['plan({ unitsPerStream }) must be a whole number from 1 to 10,000.']);
    }
    const account = await this.resolveAccount(options.signal);
    const nowSeconds = Math.floor(this.config.now() / 1000);
    const common = { startSeconds: this.config.startSeconds, nowSeconds, unitsPerStream };
    const checkpoint: Checkpoint = { version: CHECKPOINT_VERSION, account: account.id, livemode: this.config.mode === 'live', streams: {} };
    if (!this.config.accounts) {
      const { units, states } = planUnits({
        ...common, selection, account: account.stripeAccount ?? null, accountCreated: account.created,
      });
      return { units, checkpoint: { ...checkpoint, streams: Object.fromEntries(states) } };
    }
    // Connect: platform-level streams once, every connected account's streams for it.
    const connected = await discoverAccounts({ http: this.http, accounts: this.config.accounts, signal: options.signal ?? new AbortController().signal });
    const scopes = byScope(selection);
    const platform = planUnits({ ...common, selection: scopes.platform, account: null, accountCreated: account.created });
    const units = [...platform.units];
    const accounts: NonNullable<Checkpoint['accounts']> = {};
    for (const each of connected) {
      const planned = planUnits({ ...common, selection: scopes.account, account: each.id, accountCreated: each.created });
      units.push(...planned.units);
      accounts[each.id] = { streams: Object.fromEntries(planned.states) };
    }
    return { units, checkpoint: { ...checkpoint, streams: Object.fromEntries(platform.states), accounts } };
  }

  /**
   * Reads one work unit: its records, each page followed by a checkpoint of the unit alone. Hand the last
   * one back in `checkpoint` to resume the unit where it stopped.
   */
  readUnit(unit: WorkUnit, options: { checkpoint?: Checkpoint | unknown; signal?: AbortSignal } = {}): AsyncGenerator<Message, void, undefined> {
    return flattenBatches(this.readUnitMessages(unit, options));
  }

  private async *readUnitMessages(input: unknown, options: { checkpoint?: unknown; signal?: AbortSignal }): AsyncGenerator<Batch<Message>, void, undefined> {
    const parsed = workUnitSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ConfigError([`readUnit(unit): not a work unit from plan() (${issue ? `${issue.path.join('.') || 'the unit'}: ${issue.message}` : 'unknown shape'}).`]);
    }
    const unit = parsed.data as WorkUnit;
    const loaded = options.checkpoint === undefined || options.checkpoint === null ? undefined : loadCheckpoint(options.checkpoint);
    const { controller, unlink } = linkedAbort(options.signal);
    try {
      const account = await this.resolveAccount(controller.signal);
      const livemode = this.config.mode === 'live';
      const owner = unit.account ?? account.id;
      if (loaded) {
        assertCheckpointBinding(loaded, { account: owner, livemode });
        assertUnitCheckpoint(loaded, unit);
      }
      const state = loaded ? loaded.streams[unit.members[0]!]! : unitState(unit);
      // With Connect fan-out a connected account reads on its own budget, as in read().
      const http = this.config.accounts && unit.account ? this.http.forConnectedAccount(unit.account) : this.http.forAccount(unit.account ?? account.stripeAccount);
      const tag = this.config.accounts && unit.account ? unit.account : undefined;
      for await (const messages of runRead({
        ctx: { http, events: this, signal: controller.signal },
        passes: [{ driver: getStream(unit.stream), members: unit.members, state }],
        checkpoint: { version: CHECKPOINT_VERSION, account: owner, livemode, streams: Object.fromEntries(unit.members.map((m) => [m, state])) },
        stopReaders: () => controller.abort(new DOMException('The read was stopped.', 'AbortError')),
      })) {
        if (tag === undefined) {
          yield messages;
          continue;
        }
        const tagged = messages.map((message) => (message.type === 'checkpoint' ? message : { ...message, account: tag }));
        yield tagged;
        tagged.length = 0;
      }
    } finally {
      unlink();
    }
  }

  private selection(streams: readonly StreamName[] | undefined): readonly StreamName[] {
    if (streams === undefined) return this.config.streams;
    if (!Array.isArray(streams)) throw new ConfigError(['read({ streams }) must be an array of stream names.']);
    const problems = streamSelectionProblems(streams, 'read({ streams })');
    if (problems.length > 0) throw new ConfigError(problems);
    return streams;
  }

  /** The key's account (once per source), and whether `accountId` names a connected account. */
  private resolveAccount(signal: AbortSignal | undefined): Promise<ResolvedAccount> {
    if (!this.account) {
      // Shared by every caller, so fetched under none of their signals: one caller's abort must not fail
      // another's check() or read() waiting on the same answer.
      this.account = this.fetchAccount(undefined);
      this.account.catch(() => (this.account = undefined));
    }
    return signal ? untilAborted(this.account, signal) : this.account;
  }

  private async fetchAccount(signal: AbortSignal | undefined): Promise<ResolvedAccount> {
    const wanted = this.config.accountId;
    let own: string;
    let ownCreated: number | undefined;
    try {
      const { body, requestId } = await this.http.get({ stream: 'account', path: '/v1/account', signal });
      const id = (body as { id?: unknown }).id;
      ownCreated = accountCreated(body);
      if (typeof id !== 'string' || !id.startsWith('acct_')) {
        throw new StripeApiError('Stripe answered GET /v1/account without an account id: check that baseUrl points at Stripe (or the fake Stripe), not another service.', { stream: 'account', requestId });
      }
      own = id;
    } catch (error) {
      if (!(error instanceof PermissionError)) throw error;
      // A restricted key may lack the account permission; it can still read what it was given.
      this.emit('warning', {
        code: 'account_unknown',
        message: wanted
          ? `This key may not read /v1/account, so accountId ${wanted} cannot be verified; it is taken as the key's own account and binds checkpoints.`
          : "This key may not read /v1/account, so checkpoints are bound to the key's mode only. Set the accountId option to bind them to the account.",
      });
      return { id: wanted ?? null, created: undefined, stripeAccount: undefined };
    }
    if (!wanted || wanted === own) return { id: own, created: ownCreated, stripeAccount: undefined };
    // A different account: a Connect platform reading one of its connected accounts. Verify access now
    // rather than failing on the first list.
    const { body } = await this.http.forAccount(wanted).get({ stream: 'account', path: '/v1/account', signal });
    return { id: wanted, created: accountCreated(body), stripeAccount: wanted };
  }
}

/** `promise`, or the signal's reason as soon as it aborts, whichever comes first. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * The read's own abort controller, following the host's signal: the read can also stop itself (the host
 * ended the iteration early) without touching the host's signal.
 */
function linkedAbort(signal: AbortSignal | undefined): { controller: AbortController; unlink: () => void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return { controller, unlink: () => signal?.removeEventListener('abort', onAbort) };
}

/** A unit's checkpoint holds the unit's streams only, each with windows inside the unit. */
function assertUnitCheckpoint(checkpoint: Checkpoint, unit: WorkUnit): void {
  const streams = Object.keys(checkpoint.streams).sort();
  const fits = streams.join() === [...unit.members].sort().join() && unit.members.every((member) => {
    const state = checkpoint.streams[member]!;
    const keys = Object.keys(state.partitions);
    const partition = state.partitions[unit.partition];
    return keys.length === 1 && partition !== undefined && partition.through === unit.lt &&
      partition.pending.every((w) => w.gte >= unit.gte && w.lt <= unit.lt);
  });
  if (!fits) {
    throw new CheckpointError(`This checkpoint does not belong to work unit ${unit.id}: hand readUnit() the last checkpoint that unit's own read yielded, or none to read the unit from its start.`);
  }
}

/** The poll interval of a follow read (undefined when not following), checked like an option. */
function followInterval(options: ReadOptions): number | undefined {
  if (options.follow !== undefined && typeof options.follow !== 'boolean') throw new ConfigError(['read({ follow }) must be true or false.']);
  const ms = options.pollIntervalMs;
  if (ms !== undefined && (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > 86_400_000)) {
    throw new ConfigError(['read({ pollIntervalMs }) must be a number of milliseconds from 0 to 86,400,000 (one day).']);
  }
  if (ms !== undefined && !options.follow) throw new ConfigError(['read({ pollIntervalMs }) only applies with follow: true.']);
  return options.follow ? (ms ?? DEFAULT_POLL_INTERVAL_MS) : undefined;
}

function describeCursor(since: number | undefined): string {
  return since === undefined ? 'none recorded' : `events since ${new Date(since * 1000).toISOString()}`;
}

/** An account object's `created` (unix seconds), when it has a usable one. */
function accountCreated(body: unknown): number | undefined {
  const created = (body as { created?: unknown }).created;
  return typeof created === 'number' && Number.isInteger(created) ? created : undefined;
}
