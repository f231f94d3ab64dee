// A throwaway self-signed certificate for 127.0.0.1/localhost, made with the system openssl.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SelfSignedCertificate {
  cert: string;
  key: string;
}

export function selfSignedCertificate(host: string): SelfSignedCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-apiserver-tls-'));
  try {
    const san =
      /^[\d.]+$/.test(host) || host.includes(':') ? `IP:${host},DNS:localhost` : `DNS:${host},IP:127.0.0.1`;
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=ferry-e2e-apiserver',
        '-addext',
        `subjectAltName=${san}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
      ],
      { stdio: 'ignore' },
    );
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
