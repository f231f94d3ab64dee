import { unionCommunities } from './communities.js';
import { community } from '../../test/support/builders.js';
import { communityText } from '../config/community.js';

test('union: deduplicated, standard before large, numeric order within each kind', () => {
  const union = unionCommunities([
    ['65000:20', 'large:1:2:3'].map(community),
    ['65000:3', '65000:20', 'large:1:10:0', '7:1'].map(community),
  ]);
  expect(union.map(communityText)).toEqual(['7:1', '65000:3', '65000:20', 'large:1:2:3', 'large:1:10:0']);
});
