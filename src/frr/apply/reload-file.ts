// The file handed to frr-reload.py: ferry's desired config plus the lines of the running config that
// ferry does not manage. frr-reload.py deletes whatever the file lacks, and some deletions hurt: without
// `no ip forwarding` it runs `ip forwarding` and turns forwarding on (docs/design.md §7.3); `frr defaults`
// cannot change without a restart; `hostname` and `log file` belong to whoever runs FRR. Pure.
import { parseConfigTree } from './config-tree.js';

// Top-level lines FRR's owner sets, never ferry; each with the key that says "same setting".
const UNMANAGED: readonly { readonly pattern: RegExp; readonly key: (line: string) => string }[] = [
  { pattern: /^frr (version|defaults) /, key: (line) => line.split(' ').slice(0, 2).join(' ') },
  { pattern: /^hostname /, key: () => 'hostname' },
  { pattern: /^log file /, key: () => 'log file' },
  { pattern: /^(no )?ip(v6)? forwarding$/, key: (line) => line.replace(/^no /, '') },
  { pattern: /^(no )?service integrated-vtysh-config$/, key: () => 'service integrated-vtysh-config' },
];

function unmanagedKey(line: string): string | undefined {
  const rule = UNMANAGED.find((r) => r.pattern.test(line));
  return rule?.key(line);
}

/** The running config's top-level lines that ferry leaves alone, unless the desired config sets them too. */
export function unmanagedLines(runningConfig: string, desiredConfig: string): string[] {
  const desiredKeys = new Set(
    parseConfigTree(desiredConfig)
      .filter((node) => !node.context)
      .map((node) => unmanagedKey(node.line))
      .filter((key) => key !== undefined),
  );
  return parseConfigTree(runningConfig)
    .filter((node) => !node.context)
    .map((node) => node.line)
    .filter((line) => {
      const key = unmanagedKey(line);
      return key !== undefined && !desiredKeys.has(key);
    });
}

/** The file for frr-reload.py (and for FRR's next boot): the unmanaged lines first, then ferry's config. */
export function reloadFileText(desiredConfig: string, unmanaged: readonly string[]): string {
  if (unmanaged.length === 0) return desiredConfig;
  return `${unmanaged.join('\n')}\n!\n${desiredConfig}`;
}
