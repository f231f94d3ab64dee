// Strict grammars for strings that reach frr.conf as words: object names, VRF and interface names,
// BGP passwords. Each returns why the text is refused, or undefined when it is fine.
import { DNS_SUBDOMAIN } from '../util/kube-syntax.js';

/** Kubernetes object names (DNS subdomain), as the API server enforces them. */
export function objectNameProblem(name: string, maxLength = 253): string | undefined {
  if (name.length === 0) return 'a name is required';
  if (name.length > maxLength || !DNS_SUBDOMAIN.test(name)) {
    return `${JSON.stringify(name)} is not a valid name: use at most ${maxLength} lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`;
  }
  return undefined;
}

/** Linux network device names (VRFs are devices too): at most 15 characters, no '/', no whitespace. */
const DEVICE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,14}$/;

export function deviceNameProblem(name: string, what: 'interface' | 'VRF'): string | undefined {
  if (!DEVICE_NAME.test(name)) {
    return `${JSON.stringify(name)} is not a valid ${what} name: use 1-15 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'`;
  }
  return undefined;
}

/** TCP MD5 keys: FRR's `neighbor X password WORD` takes one word; Linux allows 80 bytes. */
const PASSWORD = /^[\x21-\x7e]{1,80}$/;

export function passwordProblem(password: string): string | undefined {
  if (!PASSWORD.test(password)) {
    return 'must be 1-80 printable ASCII characters without spaces (FRR takes the password as a single word)';
  }
  return undefined;
}

/** Kubernetes namespace names (DNS label). */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function namespaceNameProblem(name: string): string | undefined {
  if (name.length > 63 || !NAMESPACE.test(name))
    return `${JSON.stringify(name)} is not a valid namespace name`;
  return undefined;
}
