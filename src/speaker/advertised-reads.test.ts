import { AdvertisedReads } from './advertised-reads.js';

const started = (now = 0) => {
  const reads = new AdvertisedReads({ hotMs: 3_000, refreshMs: 10_000, maxPrefixes: 3 });
  expect(reads.plan(now)).toBe('all');
  reads.readAll(now);
  return reads;
};

describe('what of bgpd adj-out an observation reads', () => {
  test('everything first, then nothing while nothing was applied, everything again every refresh', () => {
    const reads = started();
    expect(reads.plan(1_000)).toBe('none');
    expect(reads.plan(9_999)).toBe('none');
    expect(reads.plan(10_000)).toBe('all');
  });

  test('after an apply, only the prefixes it changed, for a few seconds', () => {
    const reads = started();
    reads.touch(['198.18.0.1/32'], 5);
    // not applied yet: FRR cannot advertise it
    expect(reads.plan(100)).toBe('none');
    reads.applied(5, 200);
    expect(reads.plan(300)).toEqual(['198.18.0.1/32']);
    expect(reads.plan(3_199)).toEqual(['198.18.0.1/32']);
    expect(reads.plan(3_200)).toBe('none');
  });

  test('a prefix read as advertised the way the decisions want is not read again', () => {
    const reads = started();
    reads.touch(['a', 'b'], 1);
    reads.applied(1, 100);
    expect(reads.plan(200)).toEqual(['a', 'b']);
    reads.settled('a');
    expect(reads.plan(1_200)).toEqual(['b']);
  });

  test('a prefix changed while an older version is being applied waits for its own', () => {
    const reads = started();
    reads.touch(['a'], 5);
    reads.touch(['b'], 6);
    reads.applied(5, 100);
    expect(reads.plan(200)).toEqual(['a']);
    reads.applied(6, 4_000);
    expect(reads.plan(4_100)).toEqual(['b']);
  });

  test('many changed prefixes: the longest-waiting ones first, a bounded number per read', () => {
    const many = started();
    many.touch(['a', 'b'], 1);
    many.applied(1, 100);
    many.touch(['c', 'd', 'e'], 2);
    many.applied(2, 1_100);
    expect(many.plan(1_200)).toEqual(['a', 'b', 'c']);
    // a and b cooled down
    expect(many.plan(3_100)).toEqual(['c', 'd', 'e']);
  });

  test('everything when the sessions changed, the config changed or FRR was repaired', () => {
    const sessions = started();
    sessions.readAllSoon(100);
    expect(sessions.plan(200)).toBe('all');
    sessions.readAll(200);
    expect(sessions.plan(3_099)).toBe('all');
    expect(sessions.plan(3_100)).toBe('none');

    const config = started();
    config.touchAll(7);
    config.applied(6, 100);
    expect(config.plan(200)).toBe('none');
    config.applied(7, 300);
    expect(config.plan(400)).toBe('all');

    const repaired = started();
    repaired.touch(['a'], 9);
    repaired.applied(undefined, 100);
    expect(repaired.plan(200)).toBe('all');
  });
});
