/** A worker's own time limit: aborts its read when reached, so it can still report what it read. */
export function timeLimit(seconds) {
  const controller = new AbortController();
  let reached = false;
  const timer = setTimeout(() => {
    reached = true;
    controller.abort(new Error(`time limit of ${seconds} s reached`));
  }, seconds * 1000);
  return {
    signal: controller.signal,
    get reached() {
      return reached;
    },
    clear: () => clearTimeout(timer),
  };
}
