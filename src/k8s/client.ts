// How ferry reaches the API server: the ClusterAccess (explicit file, KUBECONFIG, or in-cluster), the
// KubeClient interface every shell in src/k8s talks through (a fake can stand in for it), and small
// typed helpers for the requests ferry makes. The HTTP implementation is in http-client.ts.
import { existsSync } from 'node:fs';
import { delimiter } from 'node:path';
import type { KubeError, KubeResult } from './errors.js';
import { inClusterAccess, kubeconfigAccess, type ClusterAccess } from './kube-config.js';
import { failed, ok } from './errors.js';
import type { KubeObject, ObjectMeta } from './kube-object.js';
import { isKubeObject } from './kube-object.js';
import type { ResourceRef } from './resources.js';
import { resourcePath } from './resources.js';
import type { Result } from '../util/result.js';

export type QueryValue = string | number | boolean | undefined;

export interface KubeRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute API path, e.g. from `resourcePath`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Sent as JSON. */
  readonly body?: unknown;
  /** Default `application/json`; patches name their flavour. */
  readonly contentType?: 'application/json' | 'application/merge-patch+json' | 'application/json-patch+json';
  /** Give up after this long (the client's default when absent). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  readonly type: WatchEventType;
  /** The object, or a metav1.Status for ERROR. Untrusted JSON. */
  readonly object: unknown;
}

export interface WatchRequest {
  readonly path: string;
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** The server accepted the watch (HTTP 200 and headers arrived). */
  onConnected?(): void;
  onEvent(event: WatchEvent): void;
  /**
   * Called exactly once: without an error when the server ended the stream cleanly, with one when
   * the request failed, the connection broke, or `abort()` was called (kind `aborted`).
   */
  onEnd(error: KubeError | undefined): void;
}

export interface WatchHandle {
  /** Closes the connection at any stage, also before the server answered. */
  abort(): void;
}

export interface KubeClient {
  request<T = unknown>(request: KubeRequest): Promise<KubeResult<T>>;
  watch(request: WatchRequest): WatchHandle;
}

export interface KubeConfigSource {
  /** `--kubeconfig`; wins over everything else. */
  readonly kubeconfigPath?: string;
  /** Where KUBECONFIG and KUBERNETES_SERVICE_HOST/PORT are looked up; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Another context of the kubeconfig than its current-context (kubectl's --context). */
  readonly context?: string;
}

export type KubeConfigOrigin = 'file' | 'KUBECONFIG' | 'in-cluster';

function withOrigin(
  access: Result<ClusterAccess, string>,
  origin: KubeConfigOrigin,
): Result<{ access: ClusterAccess; origin: KubeConfigOrigin }, string> {
  return access.ok ? { ok: true, value: { access: access.value, origin } } : access;
}

/**
 * The API server and credentials from `--kubeconfig`, else `KUBECONFIG` (a path list, merged like
 * kubectl does), else the pod's service account. Never falls back to ~/.kube/config or localhost: a
 * speaker that silently talks to the wrong cluster is worse than one that refuses to start.
 */
export function loadKubeConfig(
  source: KubeConfigSource = {},
): Result<{ access: ClusterAccess; origin: KubeConfigOrigin }, string> {
  const env = source.env ?? process.env;
  const selection = source.context === undefined ? {} : { context: source.context };
  try {
    if (source.kubeconfigPath) {
      if (!existsSync(source.kubeconfigPath))
        return { ok: false, error: `kubeconfig ${source.kubeconfigPath} does not exist` };
      return withOrigin(kubeconfigAccess([source.kubeconfigPath], selection), 'file');
    }
    const fromEnv = (env.KUBECONFIG ?? '').split(delimiter).filter((path) => path !== '');
    if (fromEnv.length > 0) return withOrigin(kubeconfigAccess(fromEnv, selection), 'KUBECONFIG');
    if (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT)
      return { ok: true, value: { access: inClusterAccess(env), origin: 'in-cluster' } };
  } catch (error) {
    return {
      ok: false,
      error: `cannot load kubeconfig: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  return {
    ok: false,
    error: 'no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, or run in a pod',
  };
}

// ---- typed helpers ----

/** Per-request limits the helpers pass through. */
export interface RequestLimits {
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

function limitsOf(limits: RequestLimits): Pick<KubeRequest, 'timeoutMs' | 'signal'> {
  return {
    ...(limits.timeoutMs !== undefined ? { timeoutMs: limits.timeoutMs } : {}),
    ...(limits.signal ? { signal: limits.signal } : {}),
  };
}

export interface ListOptions extends RequestLimits {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continueToken?: string;
}

export interface ObjectList {
  readonly items: KubeObject[];
  readonly resourceVersion: string;
  readonly continueToken?: string;
}

function decodeError(message: string): KubeError {
  return { kind: 'decode', message };
}

function asObject(result: KubeResult<unknown>): KubeResult<KubeObject> {
  if (!result.ok) return result;
  return isKubeObject(result.value)
    ? ok(result.value)
    : failed(decodeError('answer is not a Kubernetes object'));
}

/** One page of a collection, with the list's resourceVersion to watch from. */
export async function listObjects(
  client: KubeClient,
  ref: ResourceRef,
  options: ListOptions = {},
): Promise<KubeResult<ObjectList>> {
  const result = await client.request({
    method: 'GET',
    path: resourcePath(ref),
    query: {
      labelSelector: options.labelSelector,
      fieldSelector: options.fieldSelector,
      limit: options.limit,
      continue: options.continueToken,
    },
    ...limitsOf(options),
  });
  if (!result.ok) return result;
  const body = result.value as {
    items?: unknown;
    metadata?: { resourceVersion?: unknown; continue?: unknown };
  };
  if (typeof body !== 'object' || body === null || !Array.isArray(body.items))
    return failed(decodeError('list answer has no items'));
  const items = body.items.filter(isKubeObject);
  const resourceVersion = body.metadata?.resourceVersion;
  const continueToken = body.metadata?.continue;
  return ok({
    items,
    resourceVersion: typeof resourceVersion === 'string' ? resourceVersion : '',
    ...(typeof continueToken === 'string' && continueToken !== '' ? { continueToken } : {}),
  });
}

export async function getObject(
  client: KubeClient,
  ref: ResourceRef,
  name: string,
  limits: RequestLimits = {},
): Promise<KubeResult<KubeObject>> {
  return asObject(
    await client.request({ method: 'GET', path: resourcePath(ref, name), ...limitsOf(limits) }),
  );
}

/** POST; `object.metadata` may use `generateName`. The namespace comes from `ref`. */
export async function createObject(
  client: KubeClient,
  ref: ResourceRef,
  object: { metadata: ObjectMeta; [field: string]: unknown },
  limits: RequestLimits = {},
): Promise<KubeResult<KubeObject>> {
  return asObject(
    await client.request({ method: 'POST', path: resourcePath(ref), body: object, ...limitsOf(limits) }),
  );
}

/** PUT with the object's resourceVersion as precondition: 409 Conflict when someone wrote first. */
export async function replaceObject(
  client: KubeClient,
  ref: ResourceRef,
  object: KubeObject,
  limits: RequestLimits = {},
): Promise<KubeResult<KubeObject>> {
  const name = object.metadata.name ?? '';
  return asObject(
    await client.request({ method: 'PUT', path: resourcePath(ref, name), body: object, ...limitsOf(limits) }),
  );
}

/** JSON merge patch (RFC 7386) on the object or on its `/status` subresource. */
export async function mergePatchObject(
  client: KubeClient,
  ref: ResourceRef,
  name: string,
  patch: Record<string, unknown>,
  subresource?: 'status',
): Promise<KubeResult<KubeObject>> {
  return asObject(
    await client.request({
      method: 'PATCH',
      path: resourcePath(ref, name, subresource),
      body: patch,
      contentType: 'application/merge-patch+json',
    }),
  );
}

export async function deleteObject(
  client: KubeClient,
  ref: ResourceRef,
  name: string,
  preconditions?: { uid?: string; resourceVersion?: string },
): Promise<KubeResult<void>> {
  const result = await client.request({
    method: 'DELETE',
    path: resourcePath(ref, name),
    ...(preconditions ? { body: { kind: 'DeleteOptions', apiVersion: 'v1', preconditions } } : {}),
  });
  return result.ok ? ok(undefined) : result;
}
