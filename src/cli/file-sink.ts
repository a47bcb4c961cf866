import { mkdir, open, readdir, readFile, rename, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { getStream } from '../catalog/streams.js';
import type { Checkpoint } from '../checkpoint/schema.js';
import { CheckpointError } from '../errors.js';
import type { Message } from '../types.js';

/**
 * Local files as a sink: `<dir>/<stream>.ndjson` (one Stripe object a line; deleted objects as Stripe
 * renders them, `{"id":..,"object":..,"deleted":true}`; a resync bracket as two marker lines
 * `{"object":"stripe_source.resync","phase":"start"|"end","generation":N}`: a reader replaying the file keeps,
 * at an `end`, only the ids delivered since the matching `start`) and a state file holding the source's checkpoint
 * together with the length each data file had when it was taken.
 *
 * Records are written and fsynced first, the state file last and atomically (temp file, fsync, rename), so
 * a kill never leaves a checkpoint ahead of its data. On open, data files are cut back to the lengths the
 * state file recorded: whatever was written after the last checkpoint is read again, so the files hold no
 * duplicate from an interrupted run.
 */
export interface SinkState {
  readonly version: 1;
  readonly checkpoint: Checkpoint;
  /** Byte length of each data file (by file name) when the checkpoint was taken. */
  readonly files: Readonly<Record<string, number>>;
}

export class FileSink {
  private readonly handles = new Map<string, FileHandle>();
  private readonly lengths = new Map<string, number>();
  private readonly buffered = new Map<string, string[]>();

  private constructor(
    readonly dir: string,
    readonly statePath: string,
    /** The checkpoint to resume from, when the directory holds one. */
    readonly checkpoint: Checkpoint | undefined,
  ) {}

  /** Opens (creating) the directory, cutting data files back to the last checkpoint. */
  static async open(options: { dir: string; statePath?: string }): Promise<FileSink> {
    const dir = options.dir;
    const statePath = options.statePath ?? join(dir, 'checkpoint.json');
    await mkdir(dir, { recursive: true });
    await removeStaleTemps(statePath);
    const state = await readState(statePath);
    const sink = new FileSink(dir, statePath, state?.checkpoint);
    for (const [file, length] of Object.entries(state?.files ?? {})) {
      sink.lengths.set(file, length);
      const path = join(dir, file);
      const actual = await stat(path).then((s) => s.size, () => -1);
      if (actual < length) {
        throw new CheckpointError(
          `${path} is shorter (${Math.max(actual, 0)} bytes) than the checkpoint in ${statePath} recorded (${length}): the data files and the checkpoint do not belong together. Restore them together, or delete ${statePath} to start over.`,
        );
      }
      if (actual > length) await truncate(path, length);
    }
    if (!state) {
      // A fresh sync: data files without a checkpoint are leftovers of a run that never checkpointed.
      for (const file of await listDataFiles(dir)) await truncate(join(dir, file), 0);
    }
    return sink;
  }

  /** Takes one message of `source.read()`. Records are buffered until the checkpoint that covers them. */
  async write(message: Message): Promise<void> {
    if (message.type === 'checkpoint') {
      await this.commit(message.checkpoint);
      return;
    }
    const line = message.type === 'record'
      ? JSON.stringify(message.record)
      : message.type === 'delete'
        ? JSON.stringify({ id: message.id, object: getStream(message.stream).objectType, deleted: true })
        : JSON.stringify({ object: 'stripe_source.resync', phase: message.phase, generation: message.generation });
    const file = `${message.stream}.ndjson`;
    let lines = this.buffered.get(file);
    if (!lines) this.buffered.set(file, (lines = []));
    lines.push(line);
  }

  /** Data first, made durable, then the checkpoint that covers it. */
  private async commit(checkpoint: Checkpoint): Promise<void> {
    for (const [file, lines] of this.buffered) {
      if (lines.length === 0) continue;
      const handle = await this.handle(file);
      const text = `${lines.join('\n')}\n`;
      const bytes = Buffer.byteLength(text);
      await handle.write(text, null, 'utf8');
      await handle.sync();
      this.lengths.set(file, (this.lengths.get(file) ?? 0) + bytes);
    }
    this.buffered.clear();
    const state: SinkState = { version: 1, checkpoint, files: Object.fromEntries(this.lengths) };
    await writeAtomically(this.statePath, `${JSON.stringify(state)}\n`);
  }

  private async handle(file: string): Promise<FileHandle> {
    let handle = this.handles.get(file);
    if (!handle) {
      handle = await open(join(this.dir, file), 'a');
      this.handles.set(file, handle);
      if (!this.lengths.has(file)) this.lengths.set(file, (await handle.stat()).size);
    }
    return handle;
  }

  /** Closes files; records after the last checkpoint are dropped (they will be read again). */
  async close(): Promise<void> {
    this.buffered.clear();
    await Promise.all([...this.handles.values()].map((h) => h.close()));
    this.handles.clear();
  }
}

async function readState(path: string): Promise<SinkState | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(`${path} is not valid JSON (is it truncated?). Restore it from a backup, or delete it to start over.`, { cause: error });
  }
  const state = value as Partial<SinkState> | null;
  if (typeof state !== 'object' || state === null || state.version !== 1 || typeof state.files !== 'object' || state.files === null || state.checkpoint === undefined) {
    throw new CheckpointError(`${path} is not a stripe-source checkpoint file (expected {"version":1,"checkpoint":...,"files":...}). Restore it, or delete it to start over.`);
  }
  for (const [file, length] of Object.entries(state.files)) {
    if (!/^[a-z_]+\.ndjson$/.test(file) || !Number.isInteger(length) || (length as number) < 0) {
      throw new CheckpointError(`${path} records a bad length for "${file}". Restore it, or delete it to start over.`);
    }
  }
  // The checkpoint itself is validated by the source when handed to read().
  return state as SinkState;
}

/** A kill between writing the state's temp file and renaming it leaves the temp file behind: never read, removed. */
async function removeStaleTemps(statePath: string): Promise<void> {
  const dir = dirname(statePath);
  const prefix = `${basename(statePath)}.`;
  for (const file of await readdir(dir)) {
    if (file.startsWith(prefix) && file.endsWith('.tmp')) await unlink(join(dir, file)).catch(() => undefined);
  }
}

async function listDataFiles(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((f) => /^[a-z_]+\.ndjson$/.test(f));
}

/** Temp file, fsync, rename, fsync of the directory: after a crash the file is the old one or the new one. */
export async function writeAtomically(path: string, text: string): Promise<void> {
  const temp = `${path}.${process.pid}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.write(text, null, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  const dir = await open(join(path, '..'), 'r').catch(() => undefined);
  if (dir) {
    await dir.sync().catch(() => undefined);
    await dir.close();
  }
}
