import { reloadFileText, unmanagedLines } from './reload-file.js';

const RUNNING = `frr version 8.4.4
frr defaults traditional
hostname node1
log file /var/log/frr/node1.log informational
log stdout informational
no ip forwarding
no ipv6 forwarding
service integrated-vtysh-config
!
router bgp 65100
exit
!
ip nht resolve-via-default
`;

describe('unmanagedLines', () => {
  const cases: { name: string; desired: string; expected: string[] }[] = [
    {
      name: 'keeps forwarding, defaults, hostname, log file and the integrated config; never ferry’s lines',
      desired: 'log stdout informational\nrouter bgp 65100\nexit\n',
      expected: [
        'frr version 8.4.4',
        'frr defaults traditional',
        'hostname node1',
        'log file /var/log/frr/node1.log informational',
        'no ip forwarding',
        'no ipv6 forwarding',
        'service integrated-vtysh-config',
      ],
    },
    {
      name: 'a setting the desired config makes itself is left to it',
      desired: 'frr defaults datacenter\nip forwarding\n',
      expected: [
        'frr version 8.4.4',
        'hostname node1',
        'log file /var/log/frr/node1.log informational',
        'no ipv6 forwarding',
        'service integrated-vtysh-config',
      ],
    },
  ];
  test.each(cases)('$name', ({ desired, expected }) => {
    expect(unmanagedLines(RUNNING, desired)).toEqual(expected);
  });
});

test('the reload file puts the unmanaged lines before ferry’s config', () => {
  expect(reloadFileText('router bgp 65100\nexit\n', ['no ip forwarding'])).toBe(
    'no ip forwarding\n!\nrouter bgp 65100\nexit\n',
  );
  expect(reloadFileText('router bgp 65100\nexit\n', [])).toBe('router bgp 65100\nexit\n');
});
