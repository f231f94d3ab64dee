// Community resources → alias name → community. An alias defined twice (in one or several Community
// objects) makes the configuration fatal, as in MetalLB ("duplicate definition of community").
import type { CommunityResource } from '../api/metallb.js';
import { parseCommunity } from './community.js';
import type { Issues } from './issues.js';
import type { Community } from './types.js';
import type { ObjectRef } from '../util/object-ref.js';

export function buildCommunityAliases(
  resources: readonly { readonly resource: CommunityResource; readonly ref: ObjectRef }[],
  issues: Issues,
): Map<string, Community> {
  const aliases = new Map<string, Community>();
  const definedBy = new Map<string, string>();
  for (const { resource, ref } of resources) {
    (resource.spec?.communities ?? []).forEach((alias, index) => {
      const field = `spec.communities[${index}]`;
      const name = alias.name ?? '';
      if (name === '') {
        issues.error(ref, `${field}.name`, 'an alias needs a name');
        return;
      }
      const parsed = parseCommunity(alias.value ?? '');
      if (!parsed.ok) {
        const message =
          parsed.error.reason === 'format'
            ? `${JSON.stringify(alias.value ?? '')} is not a community: write A:B or large:A:B:C`
            : parsed.error.message;
        issues.error(ref, `${field}.value`, message);
        return;
      }
      const previous = definedBy.get(name);
      if (previous !== undefined) {
        issues.error(
          ref,
          `${field}.name`,
          `duplicate definition of community ${JSON.stringify(name)} (also in ${previous})`,
          { fatal: true },
        );
        return;
      }
      definedBy.set(name, `Community ${ref.namespace}/${ref.name}`);
      aliases.set(name, parsed.value);
    });
  }
  return aliases;
}
