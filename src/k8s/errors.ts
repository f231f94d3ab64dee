// Failures of API requests as values: callers decide whether a 404, a 409 or a dead connection
// matters to them. Only bugs throw.
import type { Result } from '../util/result.js';

export type KubeErrorKind =
  /** The server answered with a non-2xx status (a metav1.Status body when it could be read). */
  | 'http'
  /** The connection could not be made or broke (refused, reset, DNS, TLS). */
  | 'network'
  /** No complete answer within the request's time limit. */
  | 'timeout'
  /** The caller aborted the request. */
  | 'aborted'
  /** The answer was not the JSON it should have been. */
  | 'decode';

export interface KubeError {
  readonly kind: KubeErrorKind;
  /** HTTP status code for `http` errors (and for watch ERROR events carrying a Status). */
  readonly status?: number;
  /** metav1.Status reason, e.g. `NotFound`, `Conflict`, `Expired`. */
  readonly reason?: string;
  readonly message: string;
}

export type KubeResult<T> = Result<T, KubeError>;

export const ok = <T>(value: T): KubeResult<T> => ({ ok: true, value });
export const failed = <T>(error: KubeError): KubeResult<T> => ({ ok: false, error });

export const isNotFound = (error: KubeError): boolean => error.kind === 'http' && error.status === 404;
export const isConflict = (error: KubeError): boolean =>
  error.kind === 'http' && error.status === 409 && error.reason !== 'AlreadyExists';
export const isAlreadyExists = (error: KubeError): boolean =>
  error.kind === 'http' && error.status === 409 && error.reason === 'AlreadyExists';
/** 410 Gone: the resourceVersion a watch or a list continuation asked for is no longer in history. */
export const isGone = (error: KubeError): boolean =>
  (error.kind === 'http' && error.status === 410) || error.reason === 'Expired' || error.reason === 'Gone';

/** One line for logs: `http 409 Conflict: ...`. */
export function describeKubeError(error: KubeError): string {
  const code = error.status !== undefined ? ` ${error.status}` : '';
  const reason = error.reason ? ` ${error.reason}` : '';
  return `${error.kind}${code}${reason}: ${error.message}`;
}

/** A KubeError from a metav1.Status-shaped body (as in HTTP error answers and watch ERROR events). */
export function kubeErrorFromStatus(status: number, body: unknown): KubeError {
  if (typeof body === 'object' && body !== null) {
    const record = body as Record<string, unknown>;
    const code = typeof record.code === 'number' ? record.code : status;
    return {
      kind: 'http',
      status: code,
      ...(typeof record.reason === 'string' ? { reason: record.reason } : {}),
      message: typeof record.message === 'string' ? record.message : `HTTP ${code}`,
    };
  }
  return {
    kind: 'http',
    status,
    message: typeof body === 'string' && body ? body.slice(0, 500) : `HTTP ${status}`,
  };
}
