// Who a bearer token is and what they may do: the admin token (system:masters), ServiceAccount
// tokens minted like the TokenRequest API (valid while that ServiceAccount, same uid, exists), and
// the RBAC objects stored in the cluster.
import { randomBytes } from 'node:crypto';
import type { Cluster } from './cluster.js';
import type { KubeObject } from './object.js';
import type { BindingObject, RbacObjects, RoleObject, UserInfo } from './rbac.js';
import { serviceAccountUser } from './rbac.js';
import { rbacGroup, resourceId } from './resources.js';

export const adminUser: UserInfo = {
  name: 'ferry-e2e-admin',
  groups: ['system:masters', 'system:authenticated'],
};

interface ServiceAccountToken {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly expires: number;
}

export interface MintedToken {
  readonly token: string;
  readonly expirationTimestamp: string;
}

export class Access {
  private readonly serviceAccountTokens = new Map<string, ServiceAccountToken>();

  constructor(
    private readonly cluster: Cluster,
    readonly adminToken: string,
  ) {}

  /** The user a bearer token stands for; undefined when it is not valid (401). */
  identify(token: string | undefined): UserInfo | undefined {
    if (token === undefined) return undefined;
    if (token === this.adminToken) return adminUser;
    const minted = this.serviceAccountTokens.get(token);
    if (minted === undefined) return undefined;
    if (
      Date.now() > minted.expires ||
      this.serviceAccount(minted.namespace, minted.name)?.metadata.uid !== minted.uid
    ) {
      this.serviceAccountTokens.delete(token);
      return undefined;
    }
    return serviceAccountUser(minted.namespace, minted.name);
  }

  /** A token for the ServiceAccount, as TokenRequest returns one; undefined if there is no such ServiceAccount. */
  mint(namespace: string, name: string, expirationSeconds = 3600): MintedToken | undefined {
    const account = this.serviceAccount(namespace, name);
    if (account?.metadata.uid === undefined) return undefined;
    const token = `ferry-sa.${randomBytes(24).toString('base64url')}`;
    const expires = Date.now() + expirationSeconds * 1000;
    this.serviceAccountTokens.set(token, { namespace, name, uid: account.metadata.uid, expires });
    return { token, expirationTimestamp: new Date(expires).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  }

  rbacObjects(): RbacObjects {
    const list = (plural: string): KubeObject[] => this.cluster.store.list(resourceId(rbacGroup, plural));
    return {
      roles: list('roles') as unknown as RoleObject[],
      clusterRoles: list('clusterroles') as unknown as RoleObject[],
      roleBindings: list('rolebindings') as unknown as BindingObject[],
      clusterRoleBindings: list('clusterrolebindings') as unknown as BindingObject[],
    };
  }

  private serviceAccount(namespace: string, name: string): KubeObject | undefined {
    return this.cluster.store.get(resourceId('', 'serviceaccounts'), `${namespace}/${name}`);
  }
}
