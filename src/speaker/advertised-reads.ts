// When and what to read of bgpd's adj-out. bgpd sends UPDATEs a little after an apply, so what it
// advertises is read for a few seconds after each one: only the prefixes the apply changed (one
// `show bgp … P json` each, at most `maxPrefixes` a read, the longest-waiting first), everything when
// the sessions changed, the configuration changed, FRR was repaired, or the last full read is old
// (the backstop that finds what the reads of single prefixes missed). A prefix changed while an older
// config is being applied waits for the apply of its own version.
// Pure: time and versions come from the caller.
import type { AdvertisedQuery } from './frr-observer.js';

export interface AdvertisedReadsOptions {
  /** how long after an apply (or a session change) it is read again; default 3 s */
  readonly hotMs?: number;
  /** a full read at least this often; default 10 s */
  readonly refreshMs?: number;
  /** prefixes read one by one per observation at most; default 1,000 */
  readonly maxPrefixes?: number;
}

export class AdvertisedReads {
  private readonly hotMs: number;
  private readonly refreshMs: number;
  private readonly maxPrefixes: number;
  /** prefixes whose routes changed, by the announce version they changed in, not applied yet */
  private readonly touched = new Map<string, number>();
  /** every prefix may change with this version once applied (a Config change) */
  private touchedAllAt: number | undefined;
  /** prefixes to read until the time given */
  private readonly hot = new Map<string, number>();
  private fullUntil = 0;
  private lastFullAt: number | undefined;

  constructor(options: AdvertisedReadsOptions = {}) {
    this.hotMs = options.hotMs ?? 3_000;
    this.refreshMs = options.refreshMs ?? 10_000;
    this.maxPrefixes = options.maxPrefixes ?? 1_000;
  }

  /** These prefixes' routes change with announce version `version` (not applied yet). */
  touch(prefixes: Iterable<string>, version: number): void {
    for (const prefix of prefixes) this.touched.set(prefix, version);
  }

  /** Any prefix may change with `version` (peers, advertisements, a full reconcile). */
  touchAll(version: number): void {
    this.touchedAllAt = version;
  }

  /**
   * FRR runs the config of announce version `version` now; `version` undefined: FRR changed in a
   * way no version says (a repaired drift, a reload), read everything.
   */
  applied(version: number | undefined, now: number): void {
    if (version === undefined || (this.touchedAllAt !== undefined && this.touchedAllAt <= version)) {
      if (version !== undefined) this.touchedAllAt = undefined;
      this.readAllSoon(now);
    }
    for (const [prefix, changedIn] of this.touched) {
      if (version !== undefined && changedIn > version) continue;
      this.touched.delete(prefix);
      this.hot.set(prefix, now + this.hotMs);
    }
  }

  /** A session changed state: what is advertised to it changes wholesale. */
  readAllSoon(now: number): void {
    this.fullUntil = now + this.hotMs;
  }

  /** What the observation at `now` should read. */
  plan(now: number): AdvertisedQuery {
    for (const [prefix, until] of this.hot) if (until <= now) this.hot.delete(prefix);
    if (this.lastFullAt === undefined || now < this.fullUntil || now - this.lastFullAt >= this.refreshMs)
      return 'all';
    if (this.hot.size === 0) return 'none';
    // in a burst, the longest-waiting ones: each is read within a second or two of its apply, and
    // what bgpd is slower to send the next full read finds
    const prefixes: string[] = [];
    for (const prefix of this.hot.keys()) {
      if (prefixes.length === this.maxPrefixes) break;
      prefixes.push(prefix);
    }
    return prefixes;
  }

  /** bgpd advertises the prefix as desired now: no need to read it again (until it changes). */
  settled(prefix: string): void {
    this.hot.delete(prefix);
  }

  /** A full read was made at `now` (it covers the hot prefixes of this moment too). */
  readAll(now: number): void {
    this.lastFullAt = now;
  }
}
