import { nextTurn } from './next-turn.js';
import { turnDeadline, turnSpent } from './turn-budget.js';

function busyUntil(deadline: number): void {
  while (performance.now() < deadline) {
    // spin: synchronous work of the turn
  }
}

describe('the turn budget shared by slicing loops', () => {
  test('one budget per turn: spent by one loop, spent for the next one too; fresh after the turn', async () => {
    await nextTurn();
    expect(turnSpent()).toBe(false);
    busyUntil(turnDeadline());
    // a second loop of the same turn sees it spent
    expect(turnSpent()).toBe(true);
    await nextTurn();
    expect(turnSpent()).toBe(false);
    expect(turnDeadline() - performance.now()).toBeGreaterThan(5);
  });
});
