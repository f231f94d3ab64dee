// The config FRR should run, as the sync loop receives it: its text, rendered only when an apply (or
// a parser precheck) needs it, and, when its producer knows them, the typed network edits from an
// earlier desired config to this one, so the plan needs no text diff (docs/design.md §6).
import type { ConfigEdit } from './config-edit.js';
import type { DesiredRouters } from './stale-advertisements.js';

export interface DesiredConfig {
  /** the whole frr.conf text; the same string on every call */
  text(): string;
  /**
   * The edits turning `base` (an earlier desired config of the same producer) into this one when
   * only network lines changed in between; undefined when not known (the texts are diffed then).
   */
  networkEditsSince?(base: DesiredConfig): readonly ConfigEdit[] | undefined;
  /** FRR runs this config now: its producer may forget the edits leading up to it */
  applied?(): void;
  /**
   * Its routers and network lines without rendering the text (the stale check's input, every 10 s
   * at 10,000 Services); undefined when the producer cannot say (parse `text()` then).
   */
  routers?(): DesiredRouters | undefined;
}

/** A desired config known only as text. */
export function desiredText(text: string): DesiredConfig {
  return { text: () => text };
}

/** Edits already planned from the config FRR runs (`from`, the exact text last applied). */
export interface PlannedEdits {
  readonly from: string;
  readonly edits: readonly ConfigEdit[];
}
