// Errors are values: an operation that can fail returns a Result, and the caller checks `ok` before
// reading `value` or `error`. Variants that carry more (the command output of a vtysh call) extend
// Success or Failure.

export interface Success<T> {
  readonly ok: true;
  readonly value: T;
}

export interface Failure<E> {
  readonly ok: false;
  readonly error: E;
}

export type Result<T, E> = Success<T> | Failure<E>;
