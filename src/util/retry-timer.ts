// "Try again in a while" for a status that did not reach the API server: one pending retry at a
// time (a later failure is covered by the retry already waiting), none after `stop`. The timer does
// not keep the process alive.

export class RetryTimer {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly delayMs: number,
    private readonly retry: () => void,
  ) {}

  schedule(): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.retry();
    }, this.delayMs);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
