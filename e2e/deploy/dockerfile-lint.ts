// A small Dockerfile linter for the hadolint rules that matter to ferry's image (hadolint is not
// in Debian 12): pinned base images (DL3006/DL3007), apt-get with -y, --no-install-recommends and
// pinned versions (DL3014, DL3015, DL3008), apt lists removed in the same RUN (DL3009), no ADD
// (DL3020, and no ADD of URLs), a pipefail SHELL before any RUN with a pipe (DL4006), a non-root
// final USER (DL3002). Pure: text in, findings out.

export interface Finding {
  readonly line: number;
  readonly rule: string;
  readonly message: string;
}

interface Instruction {
  readonly line: number;
  readonly keyword: string;
  readonly args: string;
}

/** Instructions with continuation lines joined; comments and blank lines dropped. */
export function instructions(text: string): Instruction[] {
  const result: Instruction[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let current = lines[i] ?? '';
    if (/^\s*(#|$)/.test(current)) continue;
    while (current.endsWith('\\') && i + 1 < lines.length) {
      i++;
      const next = lines[i] ?? '';
      if (/^\s*#/.test(next)) continue;
      current = `${current.slice(0, -1)} ${next.trim()}`;
    }
    const match = /^\s*([A-Za-z]+)\s+(.*)$/.exec(current);
    if (match)
      result.push({ line: start + 1, keyword: (match[1] ?? '').toUpperCase(), args: match[2] ?? '' });
  }
  return result;
}

function argDefaults(all: Instruction[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const i of all.filter((x) => x.keyword === 'ARG')) {
    const [name, value] = i.args.split('=', 2);
    if (name && value !== undefined) values.set(name.trim(), value.trim());
  }
  return values;
}

export function lintDockerfile(text: string): Finding[] {
  const all = instructions(text);
  const findings: Finding[] = [];
  const add = (line: number, rule: string, message: string): void =>
    void findings.push({ line, rule, message });
  const args = argDefaults(all);
  const stages = new Set<string>();
  let pipefail = false;
  for (const i of all) {
    switch (i.keyword) {
      case 'FROM': {
        const [imageRef, as, stage] = i.args.split(/\s+/);
        const image = (imageRef ?? '').replace(
          /^\$\{?([A-Za-z_]+)\}?$/,
          (_m, name: string) => args.get(name) ?? '',
        );
        if (!stages.has(image)) {
          if (image === '') add(i.line, 'DL3006', `base image ${imageRef ?? ''} has no default value`);
          else if (!/[:@]/.test(image.split('/').pop() ?? ''))
            add(i.line, 'DL3006', `untagged base image ${image}`);
          else if (/:latest$/.test(image)) add(i.line, 'DL3007', `base image ${image} uses latest`);
        }
        if (as?.toUpperCase() === 'AS' && stage) stages.add(stage);
        pipefail = false;
        break;
      }
      case 'SHELL':
        pipefail = /pipefail/.test(i.args);
        break;
      case 'ADD':
        add(i.line, 'DL3020', /https?:\/\//.test(i.args) ? 'ADD of a URL' : 'use COPY instead of ADD');
        break;
      case 'RUN': {
        if (/[^|]\|[^|]/.test(i.args) && !pipefail) add(i.line, 'DL4006', 'a pipe without SHELL pipefail');
        for (const command of i.args.split(/&&|;/)) {
          const install = /\bapt-get\s+(?:\S+\s+)*install\b(.*)$/.exec(command);
          if (!install) continue;
          if (!/\s(-y|--yes|--assume-yes)\b/.test(command))
            add(i.line, 'DL3014', 'apt-get install without -y');
          if (!/--no-install-recommends/.test(command))
            add(i.line, 'DL3015', 'apt-get install without --no-install-recommends');
          const packages = (install[1] ?? '')
            .split(/\s+/)
            .filter((word) => word !== '' && !word.startsWith('-'));
          for (const p of packages) {
            if (!/=/.test(p)) add(i.line, 'DL3008', `apt package ${p} has no pinned version`);
          }
        }
        if (/\bapt-get\s+(\S+\s+)*install\b/.test(i.args) && !/rm -rf \/var\/lib\/apt\/lists/.test(i.args)) {
          add(i.line, 'DL3009', 'apt lists are not removed in the same RUN');
        }
        break;
      }
    }
  }
  const finalStage = all.slice(all.map((i) => i.keyword).lastIndexOf('FROM'));
  const users = finalStage.filter((i) => i.keyword === 'USER');
  const lastUser = users[users.length - 1];
  if (!lastUser) add(finalStage[0]?.line ?? 1, 'DL3002', 'the final stage has no USER: it runs as root');
  else if (/^(root|0)(:|$)/.test(lastUser.args.trim()))
    add(lastUser.line, 'DL3002', 'the final USER is root');
  return findings;
}
