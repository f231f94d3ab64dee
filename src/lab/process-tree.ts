// Killing a process the way a container runtime kills a container: the process and everything it
// started. A speaker in its pod is its container's PID 1, and when PID 1 dies the kernel kills every
// other process of the container's PID namespace — its vtysh and frr-reload.py children too. The lab
// runs speakers as plain processes, where `kill -9` of the speaker alone leaves those children
// running (they sit in process groups of their own, see src/frr/vtysh.ts) and writing to FRR behind
// the next speaker's back, a state no real node reaches.
import { readdir, readFile } from 'node:fs/promises';

/** pid → parent pid of every process now. */
async function parents(): Promise<Map<number, number>> {
  const result = new Map<number, number>();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // `pid (comm) state ppid …`; comm may hold spaces and parentheses: read after the last ')'
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isInteger(ppid)) result.set(Number(entry), ppid);
  }
  return result;
}

function send(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // gone already
  }
}

/**
 * SIGKILLs `root` and all its descendants. They are frozen first (SIGSTOP), rescanning until no new
 * one appears, so that none forks a child the kill would miss. Returns the pids killed besides root.
 */
export async function killProcessTree(root: number): Promise<number[]> {
  // 0 and negative numbers address process groups, 1 is init: never a tree to kill
  if (!Number.isInteger(root) || root <= 1) throw new Error(`killProcessTree: ${root} is not a process id`);
  const frozen = new Set<number>();
  if (send(root, 'SIGSTOP')) frozen.add(root);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of await parents()) {
      if (frozen.has(ppid) && !frozen.has(pid) && send(pid, 'SIGSTOP')) {
        frozen.add(pid);
        grew = true;
      }
    }
  }
  for (const pid of frozen) send(pid, 'SIGKILL');
  return [...frozen].filter((pid) => pid !== root);
}
