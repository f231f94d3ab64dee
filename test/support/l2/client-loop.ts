// A client on the L2 segment requesting a Service over and over, the way a user notices a failover:
// `curl` in a loop inside the client's network namespace. Before each request it forgets the
// Service IP's neighbour entry, so every request needs a live ARP/NDP answer from some node: a
// moment when nobody answers (beyond the kernel's own ARP retries) costs a request, and a node that
// still answers after it stopped forwarding would too.
import { execa, type ResultPromise } from 'execa';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface LoopResult {
  /** ms since the loop started */
  readonly atMs: number;
  /** the response body (trimmed), undefined when the request failed */
  readonly body: string | undefined;
  /** curl's exit code when it failed (7 no connection, 28 timeout, 52/56 reset or empty reply) */
  readonly curlExit?: number;
}

export class ClientLoop {
  readonly results: LoopResult[] = [];
  private readonly started = performance.now();

  private constructor(
    private readonly child: ResultPromise,
    private readonly stopFile: string,
  ) {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const [status = '', ...rest] = line.split(' ');
      const atMs = Math.round(performance.now() - this.started);
      this.results.push(
        status === 'ok'
          ? { atMs, body: rest.join(' ').trim() }
          : { atMs, body: undefined, curlExit: Number(rest[0]) },
      );
    });
  }

  /** Starts the loop in `namespace` against `url` (whose host is `ip`); `workDir` holds its stop file. */
  static start(namespace: string, ip: string, url: string, workDir: string): ClientLoop {
    const stopFile = join(workDir, `client-loop-${Math.random().toString(36).slice(2)}`);
    const script = [
      `while [ ! -e '${stopFile}' ]; do`,
      `  ip neigh flush to '${ip}' >/dev/null 2>&1`,
      `  if body=$(curl -s --max-time 2 '${url}'); then echo "ok $body"; else echo "fail $?"; fi`,
      '  sleep 0.05',
      'done',
    ].join('\n');
    const child = execa('ip', ['netns', 'exec', namespace, 'sh', '-c', script], {
      reject: false,
      buffer: false,
      stdin: 'ignore',
    });
    return new ClientLoop(child, stopFile);
  }

  /** Results since index `from` */
  since(from: number): LoopResult[] {
    return this.results.slice(from);
  }

  /** Lets the request in flight finish, then ends the loop. */
  async stop(): Promise<LoopResult[]> {
    writeFileSync(this.stopFile, '');
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.child;
    clearTimeout(killer);
    return this.results;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}
