// What the deploy tests share: the rendered kustomization (through the system kubectl), a
// kubectl runner for a kubeconfig, and the objects' identities.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';

export const repository = join(import.meta.dirname, '..', '..');
export const deployDirectory = join(repository, 'deploy');

export interface KubeManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export async function kubectl(
  args: readonly string[],
  env: Record<string, string> = {},
  input?: string,
): Promise<KubectlResult> {
  const result = await execa('kubectl', args, {
    env: { HOME: process.env['HOME'] ?? '/tmp', ...env },
    reject: false,
    timeout: 60_000,
    ...(input === undefined ? {} : { input }),
  });
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? -1 };
}

export function parseManifests(text: string): KubeManifest[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as KubeManifest | null)
    .filter((object): object is KubeManifest => object !== null);
}

/** `kubectl kustomize deploy/` (kubectl's built-in kustomize, no cluster needed). */
export async function renderKustomization(
  directory = deployDirectory,
): Promise<{ text: string; objects: KubeManifest[] }> {
  const result = await kubectl(['kustomize', directory]);
  if (result.exitCode !== 0) throw new Error(`kubectl kustomize ${directory} failed: ${result.stderr}`);
  return { text: result.stdout, objects: parseManifests(result.stdout) };
}

export function readManifestFile(path: string): KubeManifest[] {
  return parseManifests(readFileSync(path, 'utf8'));
}

/** `Deployment metallb-system/ferry-controller`. */
export function objectName(object: KubeManifest): string {
  const { namespace, name } = object.metadata;
  return `${object.kind} ${namespace ? `${namespace}/` : ''}${name}`;
}

export function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] ?? '') : '';
}

export function versionOf(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[1] ?? '') : apiVersion;
}
