// Gives the event loop a turn (timers, I/O) before going on: long computations split at their
// natural steps so that none of them holds the process for its whole length.

export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
