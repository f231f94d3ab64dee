import { compareCommunities, parseCommunity } from './community.js';

describe('parseCommunity', () => {
  test.each([
    ['65000:100', { kind: 'standard', value: '65000:100' }],
    ['0:0', { kind: 'standard', value: '0:0' }],
    ['065535:01', { kind: 'standard', value: '65535:1' }],
    ['large:4294967295:0:1', { kind: 'large', value: '4294967295:0:1' }],
  ])('%s', (text, community) => {
    expect(parseCommunity(text)).toEqual({ ok: true, value: community });
  });

  test.each([
    ['65536:1', 'value'],
    ['-1:1', 'value'],
    ['1:+1', 'value'],
    ['1: 1', 'value'],
    ['large:1:2:4294967296', 'value'],
    ['LARGE:1:2:3', 'value'],
    ['no-export', 'format'],
    ['1:2:3', 'format'],
    ['', 'format'],
  ])('rejects %j (%s)', (text, reason) => {
    expect(parseCommunity(text)).toMatchObject({ ok: false, error: { reason } });
  });

  it('orders standard before large, numerically', () => {
    const sorted = ['large:1:1:1', '10:1', '9:2', '9:10']
      .map((text) => {
        const parsed = parseCommunity(text);
        if (!parsed.ok) throw new Error(text);
        return parsed.value;
      })
      .sort(compareCommunities)
      .map((community) => community.value);
    expect(sorted).toEqual(['9:2', '9:10', '10:1', '1:1:1']);
  });
});
