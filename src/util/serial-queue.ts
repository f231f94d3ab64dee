// Runs async work one at a time, in the order it was given: an FRR apply or a vty batch must not
// interleave with the previous one. A failed run does not stop the ones queued after it (its caller
// sees the failure).

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
