/**
 * The frame shared by the benchmarks' fake Stripe processes (fake-process.mjs, connect-fake.mjs): options
 * from the argument, the fake on 127.0.0.1, shutdown on SIGINT/SIGTERM or when the parent goes, and the
 * IPC requests `{ id, type: 'stats' | 'reset' | 'truth' | 'close' }` answered with `{ id, ok, value }`.
 */
import { createFakeStripe } from '../dist/testing/index.js';

/**
 * `createFakeStripe` options from the JSON argument, plus `nowMs` (a frozen clock) and `port`. Returns the
 * fake, the hello line's fields (`url`, `apiKey`, `accountId`, `generationSeconds`) and `shutdown`.
 */
export async function startFake() {
  const { nowMs, port, ...fakeOptions } = JSON.parse(process.argv[2] ?? '{}');
  if (nowMs !== undefined) fakeOptions.now = () => nowMs;
  const started = performance.now();
  const fake = createFakeStripe(fakeOptions);
  const generationSeconds = (performance.now() - started) / 1000;
  const server = await fake.listen(port === undefined ? {} : { port });
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await server.close().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());
  return { fake, hello: { url: server.url, apiKey: fake.apiKey, accountId: fake.accountId, generationSeconds }, shutdown };
}

/**
 * Prints `hello` as one JSON line and, when forked with an IPC channel, answers the parent until it
 * disconnects (then exits: a fake never outlives its bench): `stats()` and `truth(message)` give the values.
 */
export function answerParent({ fake, hello, shutdown, stats, truth }) {
  process.stdout.write(`${JSON.stringify(hello)}\n`);
  if (!process.send) return;
  process.on('disconnect', () => void shutdown());
  process.on('message', (message) => {
    const { id, type } = message ?? {};
    const reply = (value) => process.send({ id, ok: true, value });
    try {
      if (type === 'stats') {
        reply(stats());
      } else if (type === 'reset') {
        fake.stats.reset();
        reply(null);
      } else if (type === 'truth') {
        reply(truth(message));
      } else if (type === 'close') {
        reply(null);
        void shutdown();
      } else {
        process.send({ id, ok: false, error: `unknown request ${JSON.stringify(type)}` });
      }
    } catch (error) {
      process.send({ id, ok: false, error: String(error?.stack ?? error) });
    }
  });
  process.send({ type: 'ready', ...hello });
}
