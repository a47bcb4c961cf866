/**
 * Where the bench puts records. `null`: nowhere (counted only). `{ every, sleepMs }`: a sink slower than the
 * source, as a warehouse loader is: after every `every` records it waits `sleepMs` (a timer, so the event
 * loop stays free for the readers). Its ceiling is about every / sleepMs * 1000 records/s, a little less
 * since timers fire late.
 */
export function makeSink(spec) {
  if (!spec) return { write() {}, async flushIfDue() {} };
  let pending = 0;
  return {
    write() {
      pending++;
    },
    async flushIfDue() {
      if (pending < spec.every) return;
      pending = 0;
      await new Promise((resolve) => setTimeout(resolve, spec.sleepMs));
    },
  };
}

export function sinkCeiling(spec) {
  return spec ? Math.round((spec.every / spec.sleepMs) * 1000) : null;
}
