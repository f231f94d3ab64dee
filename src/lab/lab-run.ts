// Each lab run names everything it creates (namespaces, FRR pathspaces) `<prefix>-<role>` with a fresh
// prefix `f` + 4 hex, and records its owner's pid in /run/ferry-lab/<prefix>. A later run removes
// what runs whose owner has died left behind, and never touches a live run's names.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FRR_CONFIG_ROOT, FRR_RUN_ROOT, listFrrPathspaces, stopFrrInstance } from './frr-instance.js';
import { deleteNamespace, listNamespaces } from './netns.js';

const MARKER_DIR = '/run/ferry-lab';
/** where `ip netns add` puts the namespaces it names */
const NETNS_DIR = '/run/netns';
const PREFIX = /^f[0-9a-f]{4}$/;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A prefix no live run uses, recorded as owned by this process. */
export async function claimLabPrefix(): Promise<string> {
  await mkdir(MARKER_DIR, { recursive: true });
  const taken = new Set([
    ...(await readdir(MARKER_DIR)),
    ...(await listNamespaces()).map((ns) => ns.slice(0, 5)),
  ]);
  for (;;) {
    const prefix = `f${randomBytes(2).toString('hex')}`;
    if (taken.has(prefix)) continue;
    await writeFile(join(MARKER_DIR, prefix), `${process.pid}\n`, { flag: 'wx' }).catch(() => undefined);
    if ((await readFile(join(MARKER_DIR, prefix), 'utf8')).trim() === String(process.pid)) return prefix;
  }
}

/**
 * Removes every namespace and FRR pathspace named `<prefix>-...`, FRR first (deleting a namespace
 * does not stop the processes in it). Never throws; returns what could not be removed.
 */
export async function removeLabRun(prefix: string): Promise<string[]> {
  const problems: string[] = [];
  const namespaces = (await listNamespaces()).filter((ns) => ns.startsWith(`${prefix}-`));
  for (const name of await listFrrPathspaces(`${prefix}-`)) {
    // A pathspace is named after the namespace it runs in; if that is gone, only pids are left to kill.
    problems.push(...(await stopFrrInstance({ name, namespace: namespaces.includes(name) ? name : 'none' })));
  }
  for (const ns of namespaces) problems.push(...(await deleteNamespace(ns)));
  await rm(join(MARKER_DIR, prefix), { force: true }).catch(() => undefined);
  return problems;
}

/** Removes the leftovers of runs whose owning process is gone; returns their prefixes. */
export async function sweepStaleLabRuns(): Promise<string[]> {
  const swept: string[] = [];
  for (const prefix of await readdir(MARKER_DIR).catch(() => [] as string[])) {
    if (!PREFIX.test(prefix)) continue;
    const owner = Number((await readFile(join(MARKER_DIR, prefix), 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) continue;
    await removeLabRun(prefix);
    swept.push(prefix);
  }
  return swept;
}

/** What the runs owned by one process still have on the machine. */
export interface LabLeftovers {
  readonly namespaces: readonly string[];
  /** FRR pathspaces: /etc/frr/NAME or /var/run/frr/NAME still there (daemons may still run) */
  readonly frrInstances: readonly string[];
}

function entriesSync(directory: string): string[] {
  try {
    return readdirSync(directory);
  } catch {
    return [];
  }
}

/**
 * The leftovers of the runs `pid` owns, read synchronously: for the last words of a process that is
 * about to exit without removing its lab.
 */
export function labRunLeftoversSync(pid: number = process.pid): LabLeftovers {
  const prefixes = entriesSync(MARKER_DIR).filter((entry) => {
    if (!PREFIX.test(entry)) return false;
    try {
      return readFileSync(join(MARKER_DIR, entry), 'utf8').trim() === String(pid);
    } catch {
      return false;
    }
  });
  const ours = (name: string) => prefixes.some((prefix) => name.startsWith(`${prefix}-`));
  return {
    namespaces: entriesSync(NETNS_DIR).filter(ours).sort(),
    frrInstances: [...new Set([...entriesSync(FRR_CONFIG_ROOT), ...entriesSync(FRR_RUN_ROOT)])]
      .filter(ours)
      .sort(),
  };
}
