/**
 * Child processes of the bench: the fake Stripe and the workers. Every one is forked with an IPC channel
 * (each exits when the channel closes, so none outlives a bench killed hard), tracked here, and killed by its
 * own pid when the bench exits or is interrupted. Waits have time limits: the bench never hangs.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const live = new Set();

function killAll() {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
}
process.on('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping the bench and its processes.\n`);
    killAll();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

export class Child {
  /**
   * @param {string} script path relative to bench/
   * @param {unknown} arg JSON argument
   */
  constructor(script, arg, { label, execArgv = [] } = {}) {
    this.label = label ?? script;
    this.lastProgress = undefined;
    this.pending = new Map();
    this.waiters = [];
    this.nextId = 1;
    this.exited = false;
    this.process = fork(fileURLToPath(new URL(script, import.meta.url)), [JSON.stringify(arg)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      execArgv,
    });
    live.add(this.process);
    this.process.on('message', (message) => this.onMessage(message));
    this.process.on('exit', (code, signal) => {
      this.exited = true;
      live.delete(this.process);
      const failure = new Error(`${this.label} exited (${signal ?? `code ${code}`})`);
      for (const { reject } of this.pending.values()) reject(failure);
      this.pending.clear();
      for (const { reject } of this.waiters.splice(0)) reject(failure);
    });
  }

  onMessage(message) {
    if (message?.type === 'progress') this.lastProgress = message;
    if (message?.id !== undefined && this.pending.has(message.id)) {
      const { resolve, reject } = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.ok) resolve(message.value);
      else reject(new Error(`${this.label}: ${message.error}`));
      return;
    }
    for (const waiter of [...this.waiters]) {
      if (waiter.type === message?.type) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  }

  /** A request answered by `{ id, ok, value }`. */
  request(type, payload = {}, timeoutSeconds = 60) {
    const id = this.nextId++;
    return withTimeout(
      new Promise((resolve, reject) => {
        if (this.exited) return reject(new Error(`${this.label} has exited`));
        this.pending.set(id, { resolve, reject });
        this.process.send({ id, type, ...payload });
      }),
      timeoutSeconds,
      `${this.label}: no answer to "${type}" within ${timeoutSeconds} s`,
      () => this.pending.delete(id),
    );
  }

  /** The first message of `type` (`ready`, `result`). */
  waitFor(type, timeoutSeconds) {
    let waiter;
    return withTimeout(
      new Promise((resolve, reject) => {
        if (this.exited) return reject(new Error(`${this.label} has exited`));
        waiter = { type, resolve, reject };
        this.waiters.push(waiter);
      }),
      timeoutSeconds,
      `${this.label}: no "${type}" within ${timeoutSeconds} s`,
      () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
      },
    );
  }

  /** Kills the process (by its pid) and waits until it is gone. */
  async kill() {
    if (this.exited) return;
    const gone = new Promise((resolve) => this.process.once('exit', resolve));
    // A worker that has sent its result exits by itself, after writing a profile it was asked for.
    if (process.env.BENCH_WORKER_NODE_ARGS) await withTimeout(gone, 30, 'no exit').catch(() => undefined);
    if (this.exited) return;
    this.process.kill('SIGKILL');
    await withTimeout(gone, 10, `${this.label} did not exit`).catch(() => undefined);
  }
}

/**
 * The worker's `result` message, waited for its own time limit plus a grace (the worker stops itself at its
 * limit; the grace covers a read that does not stop when aborted); `describe(progress)` is logged every 10 s.
 * On a crash or a hang, `fallback(error)` stands in (built from `worker.lastProgress`). The worker is killed
 * after, either way.
 */
export async function workerResult(worker, { limitSeconds, describe, log, fallback }) {
  const ticker = setInterval(() => {
    if (worker.lastProgress) log(`  ${worker.label}: ${describe(worker.lastProgress)}`);
  }, 10_000);
  try {
    return await worker.waitFor('result', limitSeconds + 30);
  } catch (error) {
    return fallback(error);
  } finally {
    clearInterval(ticker);
    await worker.kill();
  }
}

function withTimeout(promise, seconds, message, onTimeout = () => undefined) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => {
      onTimeout();
      reject(new Error(message));
    }, seconds * 1000);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
