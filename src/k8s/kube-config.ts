// Where the API server is and how to prove who we are, read from a kubeconfig or the pod's service
// account without @kubernetes/client-node: importing that package costs a process ~800 modules and
// ~30 MB of heap, while a speaker needs only an address, TLS material and a token. Users that log in
// through an exec plugin or an auth-provider, and clusters behind a proxy, are handed to client-node's
// KubeConfig, imported on first use and only for them.
import { readFileSync } from 'node:fs';
import type https from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import { yaml } from '../util/yaml.js';
import type { Result } from '../util/result.js';

/** One API server and the credentials for it. */
export interface ClusterAccess {
  /** `https://host:port`, without a trailing path */
  readonly server: string;
  /** the namespace the selected context names, if any */
  readonly namespace: string | undefined;
  /**
   * The options of one request: TLS material, the Authorization header (tokens rotate: a token file
   * is re-read every minute), and for a proxy its agent. Rejects when a file cannot be read or a
   * login plugin fails.
   */
  requestOptions(): Promise<https.RequestOptions>;
}

/** In-cluster service-account files, as the kubelet mounts them. */
export const SERVICE_ACCOUNT_DIRECTORY = '/var/run/secrets/kubernetes.io/serviceaccount';

/** client-go re-reads a token file once a minute; bound tokens rotate well before they expire. */
const TOKEN_FILE_TTL_MS = 60_000;

type Fields = Readonly<Record<string, unknown>>;

interface Named {
  readonly name: string;
  readonly fields: Fields;
}

/** The parts of a kubeconfig document ferry reads; paths already absolute. */
interface KubeconfigDocument {
  readonly clusters: readonly Named[];
  readonly users: readonly Named[];
  readonly contexts: readonly Named[];
  readonly currentContext: string | undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function text(fields: Fields, key: string): string | undefined {
  const value = fields[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const PATH_FIELDS = ['certificate-authority', 'client-certificate', 'client-key', 'tokenFile'];

/** `clusters`/`users`/`contexts`: the list of `{name, <inner>: {...}}`, relative paths made absolute. */
function namedEntries(document: Fields, list: string, inner: string, directory: string): Named[] {
  const entries = document[list];
  if (!Array.isArray(entries)) return [];
  return entries.flatMap((entry: unknown) => {
    if (!isRecord(entry) || typeof entry['name'] !== 'string') return [];
    const fields = { ...(isRecord(entry[inner]) ? entry[inner] : {}) };
    // kubectl resolves a file named in a kubeconfig against the kubeconfig's own directory
    for (const key of PATH_FIELDS) {
      const path = fields[key];
      if (typeof path === 'string' && path !== '' && !isAbsolute(path)) fields[key] = join(directory, path);
    }
    return [{ name: entry['name'], fields }];
  });
}

/** A kubeconfig's text; relative paths in it are against `directory`. */
function parseDocument(source: string, directory: string): KubeconfigDocument {
  const parsed: unknown = yaml.parse(source);
  const document = isRecord(parsed) ? parsed : {};
  return {
    clusters: namedEntries(document, 'clusters', 'cluster', directory),
    users: namedEntries(document, 'users', 'user', directory),
    contexts: namedEntries(document, 'contexts', 'context', directory),
    currentContext: text(document, 'current-context'),
  };
}

/** Several files as kubectl merges KUBECONFIG: the first file to name an entry or a value wins. */
function merge(documents: readonly KubeconfigDocument[]): KubeconfigDocument {
  const firstByName = (lists: readonly (readonly Named[])[]): Named[] => {
    const seen = new Map<string, Named>();
    for (const entry of lists.flat()) if (!seen.has(entry.name)) seen.set(entry.name, entry);
    return [...seen.values()];
  };
  return {
    clusters: firstByName(documents.map((d) => d.clusters)),
    users: firstByName(documents.map((d) => d.users)),
    contexts: firstByName(documents.map((d) => d.contexts)),
    currentContext: documents.find((d) => d.currentContext !== undefined)?.currentContext,
  };
}

/** File or inline base64 data (`certificate-authority` / `certificate-authority-data`). */
function material(fields: Fields, key: string): Buffer | undefined {
  const inline = text(fields, `${key}-data`);
  if (inline !== undefined) return Buffer.from(inline, 'base64');
  const path = text(fields, key);
  return path === undefined ? undefined : readFileSync(path);
}

/** A token file read again once it is a minute old. */
function tokenFileReader(path: string, now: () => number): () => string {
  let cached: { token: string; at: number } | undefined;
  return () => {
    if (cached === undefined || now() - cached.at >= TOKEN_FILE_TTL_MS)
      cached = { token: readFileSync(path, 'utf8').trim(), at: now() };
    return cached.token;
  };
}

/** What needs client-node: login plugins and proxies. */
function needsClientNode(cluster: Fields, user: Fields): boolean {
  return (
    user['exec'] !== undefined ||
    user['auth-provider'] !== undefined ||
    text(cluster, 'proxy-url') !== undefined
  );
}

/** Credentials with static TLS material, read on the first request (a missing file fails requests). */
function directAccess(
  server: string,
  namespace: string | undefined,
  cluster: Fields,
  user: Fields,
  now: () => number,
): ClusterAccess {
  const token = text(user, 'token');
  const tokenFile = text(user, 'tokenFile');
  const readToken = tokenFile === undefined ? undefined : tokenFileReader(tokenFile, now);
  const username = text(user, 'username');
  let tls: https.RequestOptions | undefined;
  const tlsOptions = (): https.RequestOptions => {
    if (tls !== undefined) return tls;
    const ca = material(cluster, 'certificate-authority');
    const cert = material(user, 'client-certificate');
    const key = material(user, 'client-key');
    const serverName = text(cluster, 'tls-server-name');
    tls = {
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      ...(serverName === undefined ? {} : { servername: serverName }),
      ...(cluster['insecure-skip-tls-verify'] === true ? { rejectUnauthorized: false } : {}),
    };
    return tls;
  };
  return {
    server,
    namespace,
    requestOptions() {
      try {
        const bearer = token ?? readToken?.();
        const authorization =
          bearer !== undefined
            ? `Bearer ${bearer}`
            : username !== undefined
              ? `Basic ${Buffer.from(`${username}:${text(user, 'password') ?? ''}`).toString('base64')}`
              : undefined;
        return Promise.resolve({
          ...tlsOptions(),
          headers: authorization === undefined ? {} : { Authorization: authorization },
        });
      } catch (error) {
        return Promise.reject(error instanceof Error ? error : new Error(String(error)));
      }
    },
  };
}

/** Login plugins and proxies through client-node's KubeConfig, loaded on the first request. */
function clientNodeAccess(
  server: string,
  namespace: string | undefined,
  document: KubeconfigDocument,
  contextName: string,
  cluster: Fields,
): ClusterAccess {
  const proxied = text(cluster, 'proxy-url') !== undefined;
  let loading: Promise<{ applyToHTTPSOptions(options: https.RequestOptions): Promise<void> }> | undefined;
  const load = async () => {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const config = new KubeConfig();
    const unnamed = (entries: readonly Named[], inner: string) =>
      entries.map((entry) => ({ name: entry.name, [inner]: entry.fields }));
    config.loadFromString(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: unnamed(document.clusters, 'cluster'),
        users: unnamed(document.users, 'user'),
        contexts: unnamed(document.contexts, 'context'),
        'current-context': contextName,
      }),
    );
    return config;
  };
  return {
    server,
    namespace,
    async requestOptions() {
      loading ??= load();
      const options: https.RequestOptions = {};
      await (await loading).applyToHTTPSOptions(options);
      // client-node builds an agent without keep-alive on every call: only a proxy's is kept
      if (!proxied) delete options.agent;
      return options;
    },
  };
}

function accessFor(
  document: KubeconfigDocument,
  contextName: string | undefined,
  now: () => number,
): Result<ClusterAccess, string> {
  const failure = (error: string): Result<ClusterAccess, string> => ({ ok: false, error });
  if (contextName === undefined) return failure('the kubeconfig has no current-context');
  const context = document.contexts.find((entry) => entry.name === contextName);
  if (context === undefined) return failure(`context "${contextName}" does not exist`);
  const clusterName = text(context.fields, 'cluster') ?? '';
  const cluster = document.clusters.find((entry) => entry.name === clusterName)?.fields;
  if (cluster === undefined)
    return failure(`context "${contextName}": cluster "${clusterName}" does not exist`);
  const server = text(cluster, 'server');
  if (server === undefined) return failure(`cluster "${clusterName}" has no server`);
  const userName = text(context.fields, 'user');
  const user = document.users.find((entry) => entry.name === userName)?.fields ?? {};
  const namespace = text(context.fields, 'namespace');
  const bare = server.replace(/\/+$/, '');
  return {
    ok: true,
    value: needsClientNode(cluster, user)
      ? clientNodeAccess(bare, namespace, document, contextName, cluster)
      : directAccess(bare, namespace, cluster, user, now),
  };
}

export interface KubeconfigSelection {
  /** another context than the file's current-context (kubectl's --context) */
  readonly context?: string;
  /** clock for token-file refresh; tests move it */
  readonly now?: () => number;
}

/**
 * The access a kubeconfig file (or KUBECONFIG's list of files, merged) selects; an error names what
 * is missing. Throws when a file cannot be read or is not YAML.
 */
export function kubeconfigAccess(
  paths: readonly string[],
  selection: KubeconfigSelection = {},
): Result<ClusterAccess, string> {
  const document = merge(paths.map((path) => parseDocument(readFileSync(path, 'utf8'), dirname(path))));
  return accessFor(document, selection.context ?? document.currentContext, selection.now ?? Date.now);
}

/** The access a kubeconfig's text selects (relative paths against the working directory). */
export function kubeconfigAccessFromText(
  source: string,
  selection: KubeconfigSelection = {},
): Result<ClusterAccess, string> {
  const document = parseDocument(source, process.cwd());
  return accessFor(document, selection.context ?? document.currentContext, selection.now ?? Date.now);
}

/**
 * The pod's service account: KUBERNETES_SERVICE_HOST/PORT, the mounted CA and the token file (the
 * kubelet rotates it; re-read every minute).
 */
export function inClusterAccess(
  env: Readonly<Record<string, string | undefined>>,
  directory = SERVICE_ACCOUNT_DIRECTORY,
  now: () => number = Date.now,
): ClusterAccess {
  const host = env['KUBERNETES_SERVICE_HOST'] ?? '';
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '';
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return directAccess(
    server,
    undefined,
    { 'certificate-authority': join(directory, 'ca.crt') },
    { tokenFile: join(directory, 'token') },
    now,
  );
}
