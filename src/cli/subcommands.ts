// The subcommands of `ferry` and where each is defined, loaded on demand (see main.ts).
import type { Command } from 'commander';

export interface Subcommand {
  /** the names the module defines on the program */
  readonly names: readonly string[];
  /** imports the module and returns the function that adds its command(s) to the program */
  readonly load: () => Promise<(program: Command) => void>;
}

export const SUBCOMMANDS: readonly Subcommand[] = [
  {
    names: ['render', 'explain'],
    load: async () => (await import('./render-command.js')).addRenderCommands,
  },
  { names: ['speaker'], load: async () => (await import('./speaker-command.js')).addSpeakerCommand },
  { names: ['status'], load: async () => (await import('./status-command.js')).addStatusCommand },
  {
    names: ['controller'],
    load: async () => (await import('./controller-command.js')).addControllerCommand,
  },
  { names: ['lab'], load: async () => (await import('./lab-command.js')).addLabCommand },
];

/**
 * The subcommand `ferry ARGS` runs: the first argument, when it names one. Undefined otherwise
 * (`--help`, `--version`, `help`, a typo): then every subcommand is needed, to list them or suggest
 * the nearest name.
 */
export function subcommandToLoad(args: readonly string[]): Subcommand | undefined {
  const first = args[0];
  if (first === undefined) return undefined;
  return SUBCOMMANDS.find((subcommand) => subcommand.names.includes(first));
}
