// A minimal typed event emitter: listeners are checked against an event map at compile time, and a
// listener that throws is reported instead of breaking the emitter's caller.

export type Listener<A extends unknown[]> = (...args: A) => unknown;

export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<Listener<never[]>>>();

  constructor(
    private readonly onListenerError: (event: keyof Events, error: unknown) => void = () => undefined,
  ) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener as Listener<never[]>);
    return () => set.delete(listener as Listener<never[]>);
  }

  /**
   * Calls every listener in order. Returns the promises returned by async listeners so callers can
   * account for their failures too.
   */
  emit<K extends keyof Events>(event: K, ...args: Events[K]): Promise<unknown>[] {
    const pending: Promise<unknown>[] = [];
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        const result = (listener as Listener<Events[K]>)(...args);
        if (result instanceof Promise) pending.push(result);
      } catch (error) {
        this.onListenerError(event, error);
      }
    }
    return pending;
  }
}
