// One budget of synchronous work per turn of the event loop, shared by every loop that takes a burst
// in slices (watch events, reconciles, ServiceBGPStatus computations). Each kept to a slice of its
// own, their continuations still ran back to back in one check phase and held the loop for the sum
// of the slices; with one budget the sum is the budget (plus one unit each, so none starves).

const TURN_BUDGET_MS = 10;

let endsAt: number | undefined;

/** When this turn's shared budget ends; the first use in a turn starts it. */
export function turnDeadline(): number {
  if (endsAt === undefined) {
    endsAt = performance.now() + TURN_BUDGET_MS;
    // queued before any continuation of this turn: the next turn's slices start with a full budget
    setImmediate(() => {
      endsAt = undefined;
    });
  }
  return endsAt;
}

/** Whether this turn's budget is spent: a slicing loop stops and goes on after `nextTurn`. */
export function turnSpent(): boolean {
  return performance.now() >= turnDeadline();
}
