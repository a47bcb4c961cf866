import { z } from 'zod';

/**
 * The checkpoint is plain JSON, versioned, and bound to the account and mode it was made for. Every stream
 * keeps its own state so that changing the selection between runs never loses or repeats a stream's work.
 */

export const CHECKPOINT_VERSION = 1;

const unixSeconds = z.number().int().nonnegative();

/** A `created` range [gte, lt) of one stream partition, not yet fully read. */
export const windowSchema = z
  .object({
    gte: unixSeconds,
    lt: unixSeconds,
    /**
     * The last object delivered from this window (lists run newest first): reading resumes after it.
     * `created` lets a resume survive the object's deletion (Stripe rejects a cursor that no longer exists).
     */
    after: z.object({ id: z.string().min(1), created: unixSeconds }).strict().optional(),
  })
  .strict()
  .refine((w) => w.gte < w.lt, { message: 'a window needs gte < lt' })
  .refine((w) => w.after === undefined || (w.after.created >= w.gte && w.after.created < w.lt), {
    message: "a window's cursor must lie inside the window",
  });

export const partitionStateSchema = z
  .object({
    /** Exclusive upper bound of everything this partition has planned to read (unix seconds). */
    through: unixSeconds,
    /** Windows still to read, each with its own resume cursor. Empty when the partition is up to date. */
    pending: z.array(windowSchema),
  })
  .strict();

/** Where a stream's change capture through `/v1/events` stands. */
export const changesStateSchema = z
  .object({
    /**
     * Events created at or after this second (unix) are still to be applied. Taken before the stream's
     * first full read began, so what changed while it ran is replayed afterwards.
     */
    since: unixSeconds,
  })
  .strict();

/** A stream's resync brackets (see the `resync` message). */
export const resyncStateSchema = z
  .object({
    /** The number of the latest bracket (1, 2, ...). */
    generation: z.number().int().positive(),
    /** Its `start` was delivered and its `end` not yet: the stream's full read is under way. */
    open: z.boolean(),
  })
  .strict();

export const streamStateSchema = z
  .object({
    /** One entry per list partition (`''` for a stream without partitions, `active=false` for one). */
    partitions: z.record(z.string(), partitionStateSchema),
    /** Streams kept current from events: the events cursor. */
    changes: changesStateSchema.optional(),
    resync: resyncStateSchema.optional(),
  })
  .strict();

const accountId = z.string().regex(/^acct_[A-Za-z0-9]+$/);

/** One connected account's streams, with Connect fan-out. */
export const accountStateSchema = z
  .object({
    streams: z.record(z.string(), streamStateSchema),
  })
  .strict();

export const checkpointSchema = z
  .object({
    version: z.literal(CHECKPOINT_VERSION),
    /**
     * The Stripe account the checkpoint belongs to (with Connect fan-out, the platform); null when a
     * restricted key may not read `/v1/account`.
     */
    account: accountId.nullable(),
    livemode: z.boolean(),
    /** The streams of `account` (with Connect fan-out: the platform-level streams). */
    streams: z.record(z.string(), streamStateSchema),
    /** With Connect fan-out: each connected account's streams. */
    accounts: z.record(accountId, accountStateSchema).optional(),
  })
  .strict();

export type CheckpointWindow = z.infer<typeof windowSchema>;
export type PartitionState = z.infer<typeof partitionStateSchema>;
export type StreamState = z.infer<typeof streamStateSchema>;
export type ChangesState = z.infer<typeof changesStateSchema>;
export type ResyncState = z.infer<typeof resyncStateSchema>;
export type AccountState = z.infer<typeof accountStateSchema>;
/** A plain JSON value: store it as it is and hand it back to `read()`. */
export type Checkpoint = z.infer<typeof checkpointSchema>;
