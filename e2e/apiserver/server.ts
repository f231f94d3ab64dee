// The HTTP(S) shell: authentication, routing of Kubernetes API paths, content negotiation
// (JSON, Table, apply YAML), watch streams, and the fault injection tests drive.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { Cluster } from './cluster.js';
import type {
  DeleteOptions,
  FieldValidation,
  ObjectSelection,
  PatchType,
  Target,
  WriteOptions,
} from './cluster.js';
import {
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  openApiV2,
  openApiV3GroupVersion,
  openApiV3Index,
} from './discovery.js';
import type { RequestInfo } from './faults.js';
import { FaultPlan } from './faults.js';
import { kubeconfigText, writeKubeconfig } from './kubeconfig.js';
import { Access } from './access.js';
import type { MintedToken } from './access.js';
import { readManifests } from './manifests.js';
import { decodeKubernetesProtobuf, protobufMediaType } from './protobuf.js';
import type { KubeObject } from './object.js';
import { isPlainObject } from './object.js';
import type { AuthorizationRequest, UserInfo } from './rbac.js';
import { authorize, forbiddenMessage, verbOf } from './rbac.js';
import { apiVersionOf, resourceId } from './resources.js';
import type { Status } from './status.js';
import { badRequest, failure, StatusFailure } from './status.js';
import type { Change } from './store.js';
import type { IncludeObject } from './table.js';
import { tableOf } from './table.js';
import { selfSignedCertificate } from './tls.js';

export interface ApiServerOptions {
  /** Default 127.0.0.1 and a free port. */
  host?: string;
  port?: number;
  /** The admin bearer token (system:masters); random by default. */
  token?: string;
  /**
   * Serve HTTPS with a generated self-signed certificate (default). kubectl 1.32 does not send a
   * bearer token over plain HTTP, so `false` suits only clients that do (client-node does).
   */
  https?: boolean;
  /** Apply every CustomResourceDefinition found in these directories at start. */
  crdDirectories?: string[];
  /** Write a kubeconfig for this server here once it listens. */
  kubeconfigPath?: string;
  /** How many changes watches can resume from before they get 410 Gone. */
  historyLimit?: number;
  /** How often watches that asked for bookmarks get one. */
  bookmarkIntervalMs?: number;
}

export interface ApiServer {
  readonly url: string;
  readonly token: string;
  readonly cluster: Cluster;
  readonly faults: Faults;
  /** The kubeconfig text for this server (also written to `kubeconfigPath` if given). */
  readonly kubeconfig: string;
  /**
   * A token for ServiceAccount namespace/name, as the TokenRequest API (`kubectl create token`)
   * mints it; requests with it are authorized by RBAC. Undefined when the ServiceAccount does not exist.
   */
  mintServiceAccountToken(
    namespace: string,
    name: string,
    expirationSeconds?: number,
  ): MintedToken | undefined;
  /**
   * A kubeconfig for this server with the given bearer token; `serverUrl` when clients reach it
   * through a forwarder (same certificate, e.g. https://127.0.0.1:6443 in another netns).
   */
  kubeconfigFor(token: string, serverUrl?: string): string;
  close(): Promise<void>;
}

export interface Faults {
  /** Ends every open watch; `abrupt` resets the connection instead of ending the stream cleanly. */
  dropWatches(options?: { abrupt?: boolean }): number;
  /** Answers matching requests with a 5xx Status (503 by default). */
  failRequests: FaultPlan['failRequests'];
  /** Delays matching requests by `ms` before serving them. */
  hangRequests: FaultPlan['hangRequests'];
  /** Stops listening and resets every connection, as if the server had gone away. */
  goUnreachable(): Promise<void>;
  /** Listens again on the same address. */
  comeBack(): Promise<void>;
  /** Forgets the watch history: resuming from any earlier resourceVersion gets 410 Gone. */
  compactHistory(): void;
  /** Removes every fail/hang rule. */
  clear(): void;
}

interface OpenWatch {
  end(abrupt: boolean): void;
}

const publicPaths = new Set(['/version', '/healthz', '/readyz', '/livez']);
const serverVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-ferry-e2e',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.0',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const cluster = new Cluster({ historyLimit: options.historyLimit ?? 10_000 });
  const plan = new FaultPlan();
  const watches = new Set<OpenWatch>();
  const sockets = new Set<Socket>();
  const bookmarkIntervalMs = options.bookmarkIntervalMs ?? 10_000;
  const certificate = options.https === false ? undefined : selfSignedCertificate(host);
  const access = new Access(cluster, token);

  for (const directory of options.crdDirectories ?? []) {
    for (const manifest of readManifests(directory)) {
      if (manifest.kind !== 'CustomResourceDefinition') continue;
      cluster.create(cluster.target('apiextensions.k8s.io', 'v1', 'customresourcedefinitions'), manifest, {
        fieldManager: 'ferry-e2e-apiserver',
      });
    }
  }

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    serve(req, res).catch((error: unknown) => {
      if (error instanceof StatusFailure) writeStatus(res, error.status);
      else
        writeStatus(res, failure(500, 'InternalError', `Internal error occurred: ${String(error)}`).status);
    });
  };

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://server');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const user = access.identify(bearer);
    if (!publicPaths.has(path) && user === undefined) throw failure(401, 'Unauthorized', 'Unauthorized');
    const info: RequestInfo = {
      method: req.method ?? 'GET',
      path,
      watch: ['1', 'true'].includes(url.searchParams.get('watch') ?? '') || path.includes('/watch/'),
    };
    const decision = plan.decide(info);
    if (decision.kind === 'fail') {
      throw failure(
        decision.status,
        decision.status === 503 ? 'ServiceUnavailable' : 'InternalError',
        'injected failure',
      );
    }
    if (decision.kind === 'hang') await new Promise((resolve) => setTimeout(resolve, decision.delayMs));
    const raw = await readBody(req);
    const contentType = req.headers['content-type'];
    const body =
      raw.length > 0 && contentType?.split(';')[0]?.trim() === protobufMediaType
        ? JSON.stringify(decodeKubernetesProtobuf(raw))
        : raw.toString('utf8');
    if (path === '/version') return writeJson(res, 200, serverVersion);
    if (['/healthz', '/readyz', '/livez'].includes(path)) return writeText(res, 200, 'ok');
    if (path === '/api') return writeJson(res, 200, apiVersions(`${host}:${String(addressOf().port)}`));
    if (path === '/apis') return writeJson(res, 200, apiGroupList(cluster.resources));
    if (path === '/openapi/v2') {
      if (!acceptsJson(req.headers.accept))
        throw failure(406, 'NotAcceptable', 'only application/json is served for /openapi/v2');
      return writeJson(res, 200, openApiV2(cluster.resources));
    }
    if (path === '/openapi/v3') return writeJson(res, 200, openApiV3Index(cluster.resources));
    if (path.startsWith('/openapi/v3/')) {
      const document = openApiV3GroupVersion(cluster.resources, path.slice('/openapi/v3/'.length));
      if (!document) throw failure(404, 'NotFound', 'the server could not find the requested resource');
      return writeJson(res, 200, document);
    }
    const segments = path.split('/').filter((s) => s !== '');
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments[1]) {
      [group, version, rest] = ['', segments[1], segments.slice(2)];
    } else if (segments[0] === 'apis' && segments[1]) {
      if (!segments[2]) {
        const document = apiGroup(cluster.resources, segments[1]);
        if (!document) throw failure(404, 'NotFound', 'the server could not find the requested resource');
        return writeJson(res, 200, document);
      }
      [group, version, rest] = [segments[1], segments[2], segments.slice(3)];
    } else throw failure(404, 'NotFound', 'the server could not find the requested resource');
    if (rest.length === 0) {
      const document = apiResourceList(cluster.resources, group, version);
      if (!document) throw failure(404, 'NotFound', 'the server could not find the requested resource');
      return writeJson(res, 200, document);
    }
    let watch = info.watch;
    if (rest[0] === 'watch') {
      watch = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    const namespaceSubresource = rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize');
    if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSubresource) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const [plural = '', name, subresource, ...extra] = rest;
    const method = req.method ?? 'GET';
    if (user === undefined) throw failure(401, 'Unauthorized', 'Unauthorized');
    const selfReview = group === 'authorization.k8s.io' && plural === 'selfsubjectaccessreviews';
    // Bootstrap policy (system:basic-user): every authenticated user may review its own access.
    if (!selfReview) {
      authorizeRequest(user, {
        kind: 'resource',
        verb: verbOf(method, name !== undefined, watch),
        group,
        resource: plural,
        ...(subresource !== undefined ? { subresource } : {}),
        // As Kubernetes' request info: a Namespace's own path is in that namespace.
        ...(namespace !== undefined
          ? { namespace }
          : group === '' && plural === 'namespaces' && name !== undefined
            ? { namespace: name }
            : {}),
        ...(name !== undefined ? { name } : {}),
      });
    }
    if (group === '' && plural === 'serviceaccounts' && subresource === 'token' && method === 'POST') {
      return writeJson(res, 201, tokenRequest(namespace ?? '', name ?? '', parseBody(body, contentType)));
    }
    if (selfReview && method === 'POST') {
      return writeJson(res, 201, selfSubjectAccessReview(user, parseBody(body, contentType)));
    }
    const definition = cluster.find(group, version, plural);
    if (!definition || extra.length > 0 || (namespace !== undefined && !definition.namespaced)) {
      throw failure(404, 'NotFound', 'the server could not find the requested resource');
    }
    if (subresource !== undefined && !(subresource === 'status' && definition.hasStatus)) {
      throw failure(404, 'NotFound', 'the server could not find the requested resource');
    }
    const target: Target = {
      definition,
      version,
      ...(namespace !== undefined ? { namespace } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(subresource === 'status' ? { subresource: 'status' as const } : {}),
    };
    const query = url.searchParams;
    const table = tableRequest(req.headers.accept, query);
    const writeOptions: WriteOptions = {
      dryRun: query.get('dryRun') === 'All',
      fieldValidation: (['Strict', 'Warn', 'Ignore'].find((v) => v === query.get('fieldValidation')) ??
        'Warn') as FieldValidation,
      fieldManager: query.get('fieldManager') ?? userAgentManager(req.headers['user-agent']),
      force: query.get('force') === 'true',
    };

    if (method === 'GET' && (watch || name === undefined)) {
      const selectorText = [
        query.get('fieldSelector'),
        name !== undefined ? `metadata.name=${name}` : undefined,
      ]
        .filter((s) => s)
        .join(',');
      const selection = cluster.parseSelection(
        target,
        query.get('labelSelector') ?? undefined,
        selectorText || undefined,
      );
      if (watch) return serveWatch(req, res, target, selection, query, table);
      const limit = Number(query.get('limit') ?? 0);
      const page = cluster.list(target, selection, {
        ...(limit > 0 ? { limit } : {}),
        ...(query.get('continue') ? { continueToken: query.get('continue') ?? '' } : {}),
      });
      if (table) {
        const rendered = tableOf(page.items, columnsOf(target), table, page.resourceVersion);
        if (page.continueToken) rendered.metadata.continue = page.continueToken;
        return writeJson(res, 200, rendered);
      }
      return writeJson(res, 200, {
        kind: definition.listKind,
        apiVersion: apiVersionOf(group, version),
        metadata: {
          resourceVersion: page.resourceVersion,
          ...(page.continueToken ? { continue: page.continueToken } : {}),
        },
        items: page.items,
      });
    }
    if (method === 'GET') {
      const object = cluster.get(target);
      if (table)
        return writeJson(
          res,
          200,
          tableOf([object], columnsOf(target), table, object.metadata.resourceVersion ?? ''),
        );
      return writeJson(res, 200, object);
    }
    if (method === 'POST' && name === undefined) {
      const result = cluster.create(target, parseBody(body, req.headers['content-type']), writeOptions);
      return writeJson(res, 201, result.object, result.warnings);
    }
    if (method === 'PUT' && name !== undefined) {
      const result = cluster.update(target, parseBody(body, req.headers['content-type']), writeOptions);
      return writeJson(res, 200, result.object, result.warnings);
    }
    if (method === 'PATCH' && name !== undefined) {
      const type = patchTypeOf(req.headers['content-type']);
      if (type === 'apply' && !query.get('fieldManager')) {
        throw failure(
          422,
          'Invalid',
          'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
        );
      }
      const result = cluster.patch(
        target,
        type,
        parseBody(body, type === 'apply' ? 'application/yaml' : 'application/json'),
        writeOptions,
      );
      return writeJson(res, result.created ? 201 : 200, result.object, result.warnings);
    }
    if (method === 'DELETE') {
      const options = deleteOptionsOf(body, query);
      if (name === undefined) {
        const selection = cluster.parseSelection(
          target,
          query.get('labelSelector') ?? undefined,
          query.get('fieldSelector') ?? undefined,
        );
        const items = cluster.deleteCollection(target, selection, options);
        return writeJson(res, 200, {
          kind: definition.listKind,
          apiVersion: apiVersionOf(group, version),
          metadata: { resourceVersion: String(cluster.store.currentRevision) },
          items,
        });
      }
      const result = cluster.delete(target, options);
      if (!result.removed) return writeJson(res, 200, result.object);
      return writeJson(res, 200, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Success',
        details: { name, group, kind: plural, uid: result.object.metadata.uid },
      });
    }
    throw failure(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }

  function authorizeRequest(user: UserInfo, request: AuthorizationRequest): void {
    if (authorize(user, request, () => access.rbacObjects()).allowed) return;
    const details =
      request.kind === 'resource'
        ? {
            ...(request.name ? { name: request.name } : {}),
            ...(request.group ? { group: request.group } : {}),
            kind: request.resource,
          }
        : undefined;
    throw failure(403, 'Forbidden', forbiddenMessage(user, request), details);
  }

  /** POST serviceaccounts/NAME/token (TokenRequest): a token for that ServiceAccount. */
  function tokenRequest(namespace: string, name: string, body: unknown): Record<string, unknown> {
    const spec = (isPlainObject(body) && isPlainObject(body.spec) ? body.spec : {}) as {
      audiences?: string[];
      expirationSeconds?: number;
    };
    const expirationSeconds = spec.expirationSeconds ?? 3600;
    const minted = access.mint(namespace, name, expirationSeconds);
    if (minted === undefined)
      throw failure(404, 'NotFound', `serviceaccounts "${name}" not found`, {
        name,
        kind: 'serviceaccounts',
      });
    return {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace, creationTimestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') },
      spec: {
        audiences: spec.audiences ?? ['https://kubernetes.default.svc'],
        expirationSeconds,
        boundObjectRef: null,
      },
      status: minted,
    };
  }

  /** POST selfsubjectaccessreviews (`kubectl auth can-i`): the RBAC decision for the caller. */
  function selfSubjectAccessReview(user: UserInfo, body: unknown): Record<string, unknown> {
    const review = isPlainObject(body) ? body : {};
    const spec = (isPlainObject(review.spec) ? review.spec : {}) as {
      resourceAttributes?: Record<string, string>;
      nonResourceAttributes?: Record<string, string>;
    };
    let request: AuthorizationRequest;
    if (spec.resourceAttributes) {
      const a = spec.resourceAttributes;
      request = {
        kind: 'resource',
        verb: a.verb ?? '',
        group: a.group ?? '',
        resource: a.resource ?? '',
        ...(a.subresource ? { subresource: a.subresource } : {}),
        ...(a.namespace ? { namespace: a.namespace } : {}),
        ...(a.name ? { name: a.name } : {}),
      };
    } else if (spec.nonResourceAttributes) {
      request = {
        kind: 'nonResource',
        verb: spec.nonResourceAttributes.verb ?? '',
        path: spec.nonResourceAttributes.path ?? '',
      };
    } else throw badRequest('spec.resourceAttributes or spec.nonResourceAttributes: Required value');
    const decision =
      request.kind === 'nonResource'
        ? { allowed: true as const, reason: '' }
        : authorize(user, request, () => access.rbacObjects());
    return {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: {},
      spec,
      status: decision.allowed ? { allowed: true, reason: decision.reason } : { allowed: false },
    };
  }

  function columnsOf(target: Target): ReturnType<typeof tableColumns> {
    return tableColumns(target);
  }

  function serveWatch(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    target: Target,
    selection: ObjectSelection,
    query: URLSearchParams,
    table: IncludeObject | undefined,
  ): void {
    const d = target.definition;
    const resource = resourceId(d.group, d.plural);
    const requested = query.get('resourceVersion') ?? '';
    const sendInitialEvents = query.get('sendInitialEvents') === 'true';
    const bookmarks = query.get('allowWatchBookmarks') === 'true';
    if (requested !== '' && !/^\d+$/.test(requested))
      throw badRequest(`resourceVersion: Invalid value: "${requested}"`);
    const render = (object: KubeObject): unknown => {
      const presented = cluster.present(d, target.version, object);
      return table
        ? tableOf([presented], tableColumns(target), table, presented.metadata.resourceVersion ?? '')
        : presented;
    };
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const send = (type: string, object: unknown): void => {
      res.write(`${JSON.stringify({ type, object })}\n`);
    };
    const bookmark = (annotations?: Record<string, string>): void => {
      send('BOOKMARK', {
        kind: d.kind,
        apiVersion: apiVersionOf(d.group, target.version),
        metadata: {
          resourceVersion: String(cluster.store.currentRevision),
          ...(annotations ? { annotations } : {}),
        },
      });
    };
    let closed = false;
    const timers: NodeJS.Timeout[] = [];
    let unsubscribe = (): void => undefined;
    const watchHandle: OpenWatch = {
      end(abrupt) {
        if (closed) return;
        closed = true;
        unsubscribe();
        for (const timer of timers) clearInterval(timer);
        watches.delete(watchHandle);
        if (abrupt) req.socket.destroy();
        else res.end();
      },
    };
    watches.add(watchHandle);
    // `res` (not `req`) closes when the client goes away; `req` closes as soon as its body is read.
    res.on('close', () => watchHandle.end(false));

    const deliver = (change: Change): void => {
      if (change.resource !== resource) return;
      const now = cluster.selects(target, selection, change.object);
      const before = change.previous !== undefined && cluster.selects(target, selection, change.previous);
      if (change.type === 'ADDED' && now) send('ADDED', render(change.object));
      else if (change.type === 'DELETED' && (before || now)) send('DELETED', render(change.object));
      else if (change.type === 'MODIFIED') {
        if (now && before) send('MODIFIED', render(change.object));
        else if (now) send('ADDED', render(change.object));
        else if (before) send('DELETED', render(change.object));
      }
    };
    if (requested === '' || requested === '0' || sendInitialEvents) {
      const { items } = cluster.list({ ...target, version: d.storageVersion }, selection);
      for (const item of items) send('ADDED', render(item));
      if (sendInitialEvents && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    } else {
      const history = cluster.store.changesSince(Number(requested), resource);
      if (!history.ok) {
        const expired = failure(
          410,
          'Expired',
          `too old resource version: ${requested} (${history.oldestAvailable})`,
        );
        send('ERROR', expired.status);
        watchHandle.end(false);
        return;
      }
      for (const change of history.changes) deliver(change);
    }
    unsubscribe = cluster.store.watch(deliver);
    if (bookmarks) timers.push(setInterval(() => bookmark(), bookmarkIntervalMs));
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? 0);
    if (timeoutSeconds > 0) timers.push(setTimeout(() => watchHandle.end(false), timeoutSeconds * 1000));
  }

  function tableColumns(target: Target): Parameters<typeof tableOf>[1] {
    return target.definition.versions.find((v) => v.name === target.version)?.printerColumns;
  }

  const server = certificate
    ? https.createServer({ cert: certificate.cert, key: certificate.key }, handler)
    : http.createServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('secureConnection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.keepAliveTimeout = 5_000;

  let boundPort = options.port ?? 0;
  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(boundPort, host, () => {
        server.off('error', reject);
        boundPort = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      for (const watch of [...watches]) watch.end(true);
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  function addressOf(): { port: number } {
    return { port: boundPort };
  }

  await listen();
  const url = `${certificate ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  const kubeconfig = kubeconfigText(url, token, certificate?.cert);
  if (options.kubeconfigPath) writeKubeconfig(options.kubeconfigPath, kubeconfig);

  const faults: Faults = {
    dropWatches({ abrupt = false } = {}) {
      const open = [...watches];
      for (const watch of open) watch.end(abrupt);
      return open.length;
    },
    failRequests: (rule) => plan.failRequests(rule),
    hangRequests: (rule) => plan.hangRequests(rule),
    goUnreachable: stopListening,
    comeBack: listen,
    compactHistory: () => cluster.store.compact(),
    clear: () => plan.clear(),
  };

  return {
    url,
    token,
    cluster,
    faults,
    kubeconfig,
    mintServiceAccountToken: (namespace, name, expirationSeconds) =>
      access.mint(namespace, name, expirationSeconds),
    kubeconfigFor: (bearer, serverUrl) => kubeconfigText(serverUrl ?? url, bearer, certificate?.cert),
    async close() {
      plan.clear();
      cluster.close();
      if (server.listening) await stopListening();
    },
  };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseBody(body: string, contentType: string | undefined): unknown {
  if (body.trim() === '') return undefined;
  try {
    return contentType?.includes('yaml') ? (parseYaml(body) as unknown) : (JSON.parse(body) as unknown);
  } catch (error) {
    throw badRequest(`the body of the request could not be decoded: ${String(error)}`);
  }
}

function patchTypeOf(contentType: string | undefined): PatchType {
  const mediaType = (contentType ?? '').split(';')[0]?.trim();
  switch (mediaType) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
      return 'apply';
    default:
      throw failure(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      );
  }
}

function deleteOptionsOf(body: string, query: URLSearchParams): DeleteOptions {
  const parsed = parseBody(body, 'application/json');
  const options: DeleteOptions = {};
  const source = isPlainObject(parsed) ? parsed : {};
  const policy = source.propagationPolicy ?? query.get('propagationPolicy');
  if (policy === 'Orphan' || policy === 'Background' || policy === 'Foreground')
    options.propagationPolicy = policy;
  if (source.orphanDependents === true || query.get('orphanDependents') === 'true')
    options.propagationPolicy = 'Orphan';
  if (isPlainObject(source.preconditions))
    options.preconditions = source.preconditions as DeleteOptions['preconditions'] & object;
  const dryRun = source.dryRun ?? query.getAll('dryRun');
  if (Array.isArray(dryRun) && dryRun.includes('All')) options.dryRun = true;
  return options;
}

/** Whether the Accept header allows a JSON answer (no header means anything). */
function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept
    .split(',')
    .some((type) => /^\s*(application\/json|application\/\*|\*\/\*)\s*(;|$)/.test(type));
}

/** Table when the client asks for `as=Table` (kubectl get), with the requested row object detail. */
function tableRequest(accept: string | undefined, query: URLSearchParams): IncludeObject | undefined {
  if (!accept?.split(',').some((type) => type.includes('as=Table') && type.includes('g=meta.k8s.io')))
    return undefined;
  const include = query.get('includeObject');
  return include === 'None' || include === 'Object' ? include : 'Metadata';
}

/** The field manager the API server derives from the User-Agent when the client names none. */
function userAgentManager(userAgent: string | undefined): string {
  return (userAgent ?? 'unknown').split('/')[0] || 'unknown';
}

function writeJson(res: http.ServerResponse, code: number, body: unknown, warnings: string[] = []): void {
  const text = JSON.stringify(body);
  const headers: http.OutgoingHttpHeaders = {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
  };
  if (warnings.length > 0) headers.Warning = warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  res.writeHead(code, headers);
  res.end(text);
}

function writeText(res: http.ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain' });
  res.end(text);
}

function writeStatus(res: http.ServerResponse, status: Status): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  writeJson(res, status.code, status);
}
