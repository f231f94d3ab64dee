// Runs async tasks with at most `limit` in flight, in the order they were given: the controller's
// Events and pool status writes after allocating 10,000 Services must not open 10,000 connections.

export class TaskLimiter {
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  run<T>(task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        this.active++;
        task()
          .then(resolve, reject)
          .finally(() => {
            this.active--;
            const next = this.waiting.shift();
            if (next !== undefined) next();
            else if (this.active === 0) for (const done of this.idleWaiters.splice(0)) done();
          });
      };
      if (this.active < this.limit) start();
      else this.waiting.push(start);
    });
  }

  /** Resolves when no task is running or waiting. */
  idle(): Promise<void> {
    if (this.active === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
