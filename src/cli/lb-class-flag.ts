// `--lb-class`: one setting for the controller, every speaker and the offline views (render,
// explain), so they agree on which Services are ferry's. FERRY_LB_CLASS sets it for every ferry
// process of a pod spec or shell at once; the flag wins over it.
import { Option, type Command } from 'commander';

export const LB_CLASS_ENV = 'FERRY_LB_CLASS';

export interface LbClassFlag {
  lbClass: string;
}

export function addLbClassFlag(command: Command): Command {
  return command.addOption(
    new Option(
      '--lb-class <class>',
      'handle only Services of this spec.loadBalancerClass (empty: only Services without one, the default)',
    )
      .env(LB_CLASS_ENV)
      .default(''),
  );
}
