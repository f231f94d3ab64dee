// Network namespaces for the lab: namespaces, bridges, veth pairs, addresses, sysctls and routes,
// all through `ip`. Interfaces are created inside the lab's own namespaces (never in the host's), so
// their names only need to be unique per namespace and parallel runs cannot collide.
import { execa } from 'execa';

export interface CommandResult {
  readonly argv: readonly string[];
  /** undefined when the process was killed or could not start */
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

/** A lab setup step failed: the lab is unusable, so this one is thrown. */
export class LabCommandError extends Error {
  constructor(readonly result: CommandResult) {
    super(`${result.argv.join(' ')} failed (exit ${result.exitCode ?? 'none'}): ${result.stderr.trim()}`);
    this.name = 'LabCommandError';
  }
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** Runs argv inside namespace `ns` (`undefined`: the host's). Never throws. */
export async function run(
  ns: string | undefined,
  argv: readonly string[],
  options: { readonly timeoutMs?: number } = {},
): Promise<CommandResult> {
  const full = ns === undefined ? [...argv] : ['ip', 'netns', 'exec', ns, ...argv];
  const [file, ...args] = full;
  const result = await execa(file ?? '', args, {
    reject: false,
    // its own process group: a Ctrl-C (or `timeout`) signals the lab's whole group, and the `ip`
    // commands that remove the lab must not die halfway through (the lab process handles signals)
    detached: true,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
  return {
    argv: full,
    exitCode: result.exitCode,
    stdout: typeof result.stdout === 'string' ? result.stdout : '',
    stderr:
      typeof result.stderr === 'string' && result.stderr !== ''
        ? result.stderr
        : (result.originalMessage ?? ''),
  };
}

/** Like `run`, for setup steps that must work: stdout, or a thrown LabCommandError. */
export async function mustRun(ns: string | undefined, argv: readonly string[]): Promise<string> {
  const result = await run(ns, argv);
  if (result.exitCode !== 0) throw new LabCommandError(result);
  return result.stdout;
}

/** `ip -n NS ...`: cheaper than `ip netns exec` (no mount namespace per call). */
function ip(ns: string, args: readonly string[]): Promise<string> {
  return mustRun(undefined, ['ip', '-n', ns, ...args]);
}

export async function listNamespaces(): Promise<string[]> {
  const result = await run(undefined, ['ip', 'netns', 'list']);
  return result.stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

/** A new namespace with its loopback up. */
export async function createNamespace(name: string): Promise<void> {
  await mustRun(undefined, ['ip', 'netns', 'add', name]);
  await ip(name, ['link', 'set', 'lo', 'up']);
}

/** PIDs of the processes whose network namespace is `name`. */
export async function namespacePids(name: string): Promise<number[]> {
  const result = await run(undefined, ['ip', 'netns', 'pids', name]);
  return result.stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => Number.isInteger(pid) && pid > 0);
}

/**
 * Kills what still runs inside, then deletes the namespace (its veth ends and bridges go with it).
 * Never throws: returns what could not be done.
 */
export async function deleteNamespace(name: string): Promise<string[]> {
  const problems: string[] = [];
  for (const pid of await namespacePids(name)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // exited meanwhile
    }
  }
  const result = await run(undefined, ['ip', 'netns', 'del', name]);
  if (result.exitCode !== 0 && (await listNamespaces()).includes(name)) {
    problems.push(`cannot delete namespace ${name}: ${result.stderr.trim()}`);
  }
  return problems;
}

export async function addBridge(ns: string, name: string): Promise<void> {
  await ip(ns, ['link', 'add', name, 'type', 'bridge']);
  await setLinkUp(ns, name);
}

export interface InterfaceEnd {
  readonly ns: string;
  readonly name: string;
}

/** A veth pair created in `a.ns` with its peer end moved straight into `b.ns`; both ends up. */
export async function addVethPair(a: InterfaceEnd, b: InterfaceEnd): Promise<void> {
  await ip(a.ns, ['link', 'add', a.name, 'type', 'veth', 'peer', 'name', b.name, 'netns', b.ns]);
  await setLinkUp(a.ns, a.name);
  await setLinkUp(b.ns, b.name);
}

export async function attachToBridge(ns: string, device: string, bridge: string): Promise<void> {
  await ip(ns, ['link', 'set', device, 'master', bridge]);
}

/** IPv6 addresses get `nodad`: duplicate address detection would hold them tentative for a second or more. */
export async function addAddress(ns: string, device: string, cidr: string): Promise<void> {
  const ipv6 = cidr.includes(':');
  await ip(ns, [...(ipv6 ? ['-6'] : []), 'address', 'add', cidr, 'dev', device, ...(ipv6 ? ['nodad'] : [])]);
}

export async function setLinkUp(ns: string, device: string): Promise<void> {
  await ip(ns, ['link', 'set', device, 'up']);
}

export async function setLinkDown(ns: string, device: string): Promise<void> {
  await ip(ns, ['link', 'set', device, 'down']);
}

export async function setSysctl(ns: string, key: string, value: string | number): Promise<void> {
  await mustRun(ns, ['sysctl', '-q', '-w', `${key}=${value}`]);
}

export async function enableForwarding(ns: string): Promise<void> {
  await setSysctl(ns, 'net.ipv4.ip_forward', 1);
  await setSysctl(ns, 'net.ipv6.conf.all.forwarding', 1);
}

export async function addRoute(ns: string, destination: string, via: string): Promise<void> {
  await ip(ns, [...(destination.includes(':') ? ['-6'] : []), 'route', 'add', destination, 'via', via]);
}

/** The IPv6 link-local address of `device` in `ns` (what IPv6 next hops and NDP probes use). */
export async function linkLocalAddress(ns: string, device: string): Promise<string> {
  const out = await ip(ns, ['-6', 'address', 'show', 'dev', device, 'scope', 'link']);
  const match = /inet6 (fe80::[0-9a-f:]+)\//.exec(out);
  if (match?.[1] === undefined) throw new Error(`${ns}: ${device} has no link-local address`);
  return match[1];
}
