// The KubeClient over HTTP(S). Authentication and TLS come from a ClusterAccess (kube-config.ts:
// tokens, token files, client certificates, CA; exec plugins and proxies through client-node); the
// request itself is plain node:https so that every request, and above all a watch, can be aborted at
// any stage. client-node 1.4's `Watch` hands out its AbortController only after the response headers
// arrive: a watch whose server never answers cannot be stopped, and the informer stalls silently
// (docs/design.md §10). Objects stay raw JSON, the shape src/api's converters read.
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { KubeClient, KubeRequest, QueryValue, WatchEvent, WatchHandle, WatchRequest } from './client.js';
import type { KubeError, KubeResult } from './errors.js';
import { failed, kubeErrorFromStatus, ok } from './errors.js';
import type { ClusterAccess } from './kube-config.js';
import { turnSpent } from '../util/turn-budget.js';

/** Connections to the API server at most, watches included (one per informer, nine in a speaker). */
const MAX_SOCKETS = 32;

export interface HttpKubeClientOptions {
  /** Sent as User-Agent; the API server derives the default field manager from it. */
  readonly userAgent?: string;
  /** Time limit for ordinary requests (not watches). Default 30 s. */
  readonly requestTimeoutMs?: number;
}

const watchEventTypes = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

function urlOf(server: string, path: string, query: Readonly<Record<string, QueryValue>> | undefined): URL {
  const url = new URL(server.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  return url;
}

function networkError(error: unknown): KubeError {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  return {
    kind: 'network',
    message: typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message,
  };
}

/** client-node's KubeConfig, as far as it is read here (tests and tools may still build one). */
export interface ClientNodeConfig {
  getCurrentCluster(): { readonly server: string; readonly proxyUrl?: string | undefined } | null;
  applyToHTTPSOptions(options: https.RequestOptions): Promise<void>;
}

function accessOf(config: ClusterAccess | ClientNodeConfig): ClusterAccess | KubeError {
  if ('requestOptions' in config) return config;
  const cluster = config.getCurrentCluster();
  if (!cluster) return { kind: 'network', message: 'the kubeconfig has no current cluster' };
  return {
    server: cluster.server,
    namespace: undefined,
    async requestOptions() {
      const options: https.RequestOptions = {};
      await config.applyToHTTPSOptions(options);
      // a fresh agent without keep-alive each call: only a proxy's is worth keeping
      if (!cluster.proxyUrl) delete options.agent;
      return options;
    },
  };
}

export function createKubeClient(
  config: ClusterAccess | ClientNodeConfig,
  options: HttpKubeClientOptions = {},
): KubeClient {
  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const userAgent = options.userAgent ?? 'ferry';
  let sharedAgent: http.Agent | undefined;
  const access = accessOf(config);

  /** Connection options for one request: fresh auth headers, one keep-alive agent for all. */
  async function connection(): Promise<
    { server: string; options: https.RequestOptions; headers: http.OutgoingHttpHeaders } | KubeError
  > {
    if ('kind' in access) return access;
    let options: https.RequestOptions;
    try {
      options = await access.requestOptions();
    } catch (error) {
      return networkError(error);
    }
    if (options.agent === undefined) {
      // One keep-alive agent for all requests (client-node builds a new agent without keep-alive
      // on every call) so status writes do not pay a TLS handshake each; a proxy brings its own.
      // A bounded pool: a burst of status writes otherwise opens one TLS connection per request in
      // flight, and OpenSSL's per-connection buffers stay in the allocator long after.
      sharedAgent ??= access.server.startsWith('http:')
        ? new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS })
        : new https.Agent({
            keepAlive: true,
            maxSockets: MAX_SOCKETS,
            // built once: without it every new connection parses the CA and key again
            secureContext: tls.createSecureContext({
              ca: options.ca,
              cert: options.cert,
              key: options.key,
              pfx: options.pfx,
              passphrase: options.passphrase,
            }),
            ...(options.rejectUnauthorized !== undefined
              ? { rejectUnauthorized: options.rejectUnauthorized }
              : {}),
            ...(options.servername ? { servername: options.servername } : {}),
          });
      options.agent = sharedAgent;
    }
    const auth: http.OutgoingHttpHeaders =
      options.headers && !Array.isArray(options.headers) ? (options.headers as http.OutgoingHttpHeaders) : {};
    const headers = { ...auth, 'User-Agent': userAgent, Accept: 'application/json' };
    return { server: access.server, options: { ...options, headers }, headers };
  }

  function send(url: URL, requestOptions: https.RequestOptions): http.ClientRequest {
    return url.protocol === 'http:' ? http.request(url, requestOptions) : https.request(url, requestOptions);
  }

  async function request<T>(req: KubeRequest): Promise<KubeResult<T>> {
    const target = await connection();
    if ('kind' in target) return failed(target);
    const url = urlOf(target.server, req.path, req.query);
    const body = req.body === undefined ? undefined : JSON.stringify(req.body);
    const headers: http.OutgoingHttpHeaders = { ...target.headers };
    if (body !== undefined) {
      headers['Content-Type'] = req.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(body);
    }
    const timeoutMs = req.timeoutMs ?? requestTimeoutMs;
    if (req.signal?.aborted)
      return failed({ kind: 'aborted', message: `${req.method} ${req.path}: aborted` });
    return new Promise<KubeResult<T>>((resolve) => {
      let settled = false;
      const finish = (result: KubeResult<T>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const outgoing = send(url, { ...target.options, method: req.method, headers });
      // First, so that destroying the request below can never raise an unhandled 'error'.
      outgoing.on('error', (error) => finish(failed(networkError(error))));
      const timer = setTimeout(() => {
        finish(
          failed({ kind: 'timeout', message: `${req.method} ${req.path}: no answer within ${timeoutMs} ms` }),
        );
        outgoing.destroy();
      }, timeoutMs);
      const onAbort = (): void => {
        finish(failed({ kind: 'aborted', message: `${req.method} ${req.path}: aborted` }));
        outgoing.destroy();
      };
      req.signal?.addEventListener('abort', onAbort, { once: true });
      outgoing.on('response', (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', (error) => finish(failed(networkError(error))));
        response.on('aborted', () =>
          finish(failed({ kind: 'network', message: 'connection closed mid-answer' })),
        );
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          let parsed: unknown = text;
          try {
            parsed = text === '' ? undefined : (JSON.parse(text) as unknown);
          } catch {
            if (status >= 200 && status < 300)
              return finish(
                failed({ kind: 'decode', message: `${req.method} ${req.path}: answer is not JSON` }),
              );
          }
          if (status >= 200 && status < 300) finish(ok(parsed as T));
          else finish(failed(kubeErrorFromStatus(status, parsed)));
        });
      });
      outgoing.end(body);
    });
  }

  function watch(req: WatchRequest): WatchHandle {
    let ended = false;
    let outgoing: http.ClientRequest | undefined;
    let aborted = false;
    const end = (error: KubeError | undefined): void => {
      if (ended) return;
      ended = true;
      outgoing?.destroy();
      req.onEnd(error);
    };
    const start = async (): Promise<void> => {
      const target = await connection();
      if (aborted) return;
      if ('kind' in target) return end(target);
      const url = urlOf(target.server, req.path, { ...req.query, watch: true });
      outgoing = send(url, { ...target.options, method: 'GET' });
      outgoing.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
      outgoing.on('error', (error) => end(networkError(error)));
      outgoing.on('response', (response) => {
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text) as unknown;
            } catch {
              // not a Status; kubeErrorFromStatus keeps the text
            }
            end(kubeErrorFromStatus(status, parsed));
          });
          return;
        }
        req.onConnected?.();
        let pending = '';
        let continuing = false;
        /** the server ended the stream: `end` once the events received before it are handed over */
        let streamEnded: { error: KubeError | undefined } | undefined;
        /**
         * The complete lines received, as events. A burst (thousands of objects written at once)
         * arrives as megabytes: once the turn's budget is spent (see turn-budget; shared by every
         * watch, the reconciles and the status computations) the rest waits for the event loop's
         * next turn, the response paused meanwhile (TCP holds the sender back). A read arriving
         * with the budget spent only buffers; a continuation takes at least one event.
         */
        const drain = (continuation: boolean): void => {
          continuing = false;
          let newline = pending.indexOf('\n');
          let taken = continuation ? 0 : 1;
          while (newline >= 0 && !ended) {
            if (taken++ > 0 && turnSpent()) {
              response.pause();
              continuing = true;
              setImmediate(drain, true);
              return;
            }
            const line = pending.slice(0, newline).trim();
            pending = pending.slice(newline + 1);
            newline = pending.indexOf('\n');
            if (line === '') continue;
            let event: unknown;
            try {
              event = JSON.parse(line) as unknown;
            } catch {
              return end({ kind: 'decode', message: 'watch stream carried a line that is not JSON' });
            }
            const type = (event as { type?: unknown }).type;
            if (typeof type !== 'string' || !watchEventTypes.has(type))
              return end({ kind: 'decode', message: `watch event of unknown type ${JSON.stringify(type)}` });
            req.onEvent({ type, object: (event as { object?: unknown }).object } as WatchEvent);
          }
          if (streamEnded !== undefined) end(streamEnded.error);
          else if (response.isPaused()) response.resume();
        };
        const endAfterDrain = (error: KubeError | undefined): void => {
          streamEnded ??= { error };
          if (!continuing) drain(false);
        };
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          pending += chunk;
          if (!continuing) drain(false);
        });
        response.on('aborted', () => end({ kind: 'network', message: 'watch connection reset' }));
        response.on('error', (error) => end(networkError(error)));
        // the events already received first: the watch ends after its last event
        response.on('end', () => endAfterDrain(undefined));
        response.on('close', () =>
          endAfterDrain(
            response.complete ? undefined : { kind: 'network', message: 'watch connection closed' },
          ),
        );
      });
      outgoing.end();
    };
    void start();
    return {
      abort() {
        aborted = true;
        end({ kind: 'aborted', message: 'watch aborted' });
      },
    };
  }

  return { request, watch };
}
