// BGP communities as MetalLB writes them: `A:B` (16 bits each) or `large:A:B:C` (32 bits each),
// parsed and re-serialized without leading zeros.
import type { Result } from '../util/result.js';
import type { Community } from './types.js';

const NUMBER = /^[0-9]{1,10}$/;

function part(text: string, max: number): number | undefined {
  if (!NUMBER.test(text)) return undefined;
  const value = Number(text);
  return value <= max ? value : undefined;
}

export interface CommunityProblem {
  /** `format`: neither shape, so possibly the name of a Community alias; `value`: the right shape, a bad number */
  readonly reason: 'format' | 'value';
  readonly message: string;
}

export type CommunityParse = Result<Community, CommunityProblem>;

export function parseCommunity(text: string): CommunityParse {
  const fields = text.split(':');
  if (fields.length === 2) {
    const values = fields.map((field) => part(field, 0xffff));
    const bad = values.findIndex((value) => value === undefined);
    if (bad >= 0) {
      return {
        ok: false,
        error: {
          reason: 'value',
          message: `invalid community value ${JSON.stringify(text)}: invalid section ${JSON.stringify(fields[bad])}, each part of A:B must be a number 0-65535`,
        },
      };
    }
    return { ok: true, value: { kind: 'standard', value: values.join(':') } };
  }
  if (fields.length === 4) {
    if (fields[0] !== 'large') {
      return {
        ok: false,
        error: {
          reason: 'value',
          message: `invalid community value ${JSON.stringify(text)}: expected community to be of format large:<uint32>:<uint32>:<uint32>`,
        },
      };
    }
    const values = fields.slice(1).map((field) => part(field, 0xffffffff));
    const bad = values.findIndex((value) => value === undefined);
    if (bad >= 0) {
      return {
        ok: false,
        error: {
          reason: 'value',
          message: `invalid community value ${JSON.stringify(text)}: invalid section ${JSON.stringify(fields[bad + 1])}, each part of large:A:B:C must be a number 0-4294967295`,
        },
      };
    }
    return { ok: true, value: { kind: 'large', value: values.join(':') } };
  }
  return {
    ok: false,
    error: {
      reason: 'format',
      message: `${JSON.stringify(text)} is neither a community (A:B or large:A:B:C) nor the name of a Community alias`,
    },
  };
}

function numericKey(community: Community): bigint[] {
  return community.value.split(':').map((field) => BigInt(field));
}

/** Standard communities first, then large, each numerically. */
export function compareCommunities(a: Community, b: Community): number {
  if (a.kind !== b.kind) return a.kind === 'standard' ? -1 : 1;
  const left = numericKey(a);
  const right = numericKey(b);
  for (let index = 0; index < left.length; index += 1) {
    const l = left[index] ?? 0n;
    const r = right[index] ?? 0n;
    if (l !== r) return l < r ? -1 : 1;
  }
  return 0;
}

/** `65000:100` or `large:1:2:3`, as written in a BGPAdvertisement. */
export function communityText(community: Community): string {
  return community.kind === 'large' ? `large:${community.value}` : community.value;
}
