import { parseGoDuration, wholeSeconds } from './duration.js';

describe('parseGoDuration (Go time.ParseDuration grammar)', () => {
  test.each([
    ['0', 0n],
    ['90s', 90_000_000_000n],
    ['1m30s', 90_000_000_000n],
    ['1.5h', 5_400_000_000_000n],
    ['300ms', 300_000_000n],
    ['.5s', 500_000_000n],
    ['1.s', 1_000_000_000n],
    ['2us', 2_000n],
    ['2µs', 2_000n],
    ['+5s', 5_000_000_000n],
    ['-5s', -5_000_000_000n],
    ['1h1m1s1ms1us1ns', 3_661_001_001_001n],
  ])('%s', (text, expected) => {
    expect(parseGoDuration(text)).toBe(expected);
  });

  test.each(['', '90', 's', '1x', ' 90s', '90s ', '9 0s', '1.2.3s', '.s', '-', '1s\n', '9999999999999h'])(
    'rejects %j',
    (text) => {
      expect(parseGoDuration(text)).toBeUndefined();
    },
  );

  it('truncates to whole seconds', () => {
    expect(wholeSeconds(10_900_000_000n)).toBe(10);
  });
});
