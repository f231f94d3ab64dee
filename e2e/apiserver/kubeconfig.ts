// The kubeconfig clients use to reach the test server: one cluster, one bearer-token user.
import { renameSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export function kubeconfigText(server: string, token: string, caCertificate?: string): string {
  const cluster: Record<string, string> = { server };
  if (caCertificate) cluster['certificate-authority-data'] = Buffer.from(caCertificate).toString('base64');
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'ferry-e2e', cluster }],
    users: [{ name: 'ferry-e2e', user: { token } }],
    contexts: [
      { name: 'ferry-e2e', context: { cluster: 'ferry-e2e', user: 'ferry-e2e', namespace: 'default' } },
    ],
    'current-context': 'ferry-e2e',
  });
}

/** Writes atomically, so a process waiting for the file never reads half of it. */
export function writeKubeconfig(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600 });
  renameSync(temporary, path);
}
