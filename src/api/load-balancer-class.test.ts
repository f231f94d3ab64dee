import { describeLbClass, handlesService } from './load-balancer-class.js';

describe('handlesService (--lb-class), as MetalLB filterByLoadBalancerClass', () => {
  test.each([
    { lbClass: '', serviceClass: undefined, handled: true },
    { lbClass: '', serviceClass: 'other', handled: false },
    // MetalLB compares the pointed-to string: an empty class is the default one
    { lbClass: '', serviceClass: '', handled: true },
    { lbClass: 'ferry', serviceClass: 'ferry', handled: true },
    { lbClass: 'ferry', serviceClass: undefined, handled: false },
    { lbClass: 'ferry', serviceClass: 'other', handled: false },
    { lbClass: 'ferry', serviceClass: 'Ferry', handled: false },
  ])(
    'flag "$lbClass", Service class $serviceClass → handled $handled',
    ({ lbClass, serviceClass, handled }) => {
      expect(handlesService({ loadBalancerClass: serviceClass }, lbClass)).toBe(handled);
    },
  );

  test('describes the setting for messages', () => {
    expect(describeLbClass('')).toBe('only Services without spec.loadBalancerClass');
    expect(describeLbClass('example.com/bgp')).toBe('only class "example.com/bgp"');
  });
});
