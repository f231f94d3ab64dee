import { handlesService } from './service-filter.js';

describe('handlesService (--lb-class)', () => {
  test.each([
    { lbClass: '', serviceClass: undefined, handled: true },
    { lbClass: '', serviceClass: 'other', handled: false },
    { lbClass: 'ferry', serviceClass: 'ferry', handled: true },
    { lbClass: 'ferry', serviceClass: undefined, handled: false },
    { lbClass: 'ferry', serviceClass: 'other', handled: false },
  ])(
    'flag "$lbClass", Service class $serviceClass → handled $handled',
    ({ lbClass, serviceClass, handled }) => {
      expect(handlesService({ loadBalancerClass: serviceClass }, lbClass)).toBe(handled);
    },
  );
});
