/**
 * Every shell grammar by command name: the framework's own (filesystem, wrappers, git, containers,
 * databases, interpreters, PowerShell, network, system, packages, long-tail operations CLIs) merged with the infrastructure CLIs
 * (kubernetes, IaC, cloud) and Airlock's own CLI. Later tables win on a name clash.
 */
import type { ToolRuleTable } from '../tool-rule.js';
import { airlockRules } from './airlock.js';
import { cloudRules } from './cloud.js';
import { containerRules } from './containers.js';
import { coreutilsRules } from './coreutils.js';
import { databaseRules } from './databases.js';
import { gitRules } from './git.js';
import { iacRules } from './iac.js';
import { interpreterRules } from './interpreters.js';
import { kubernetesRules } from './kubernetes.js';
import { longTailRules } from './longtail.js';
import { powershellRules } from './powershell.js';
import { readOnlyRules } from './readonly.js';
import { systemRules } from './system.js';
import { wrapperRules } from './wrappers.js';

/** The full grammar table the shell classifier uses by default. Frozen; never mutated. */
export const shellRules: ToolRuleTable = Object.freeze({
  ...readOnlyRules,
  ...coreutilsRules,
  ...wrapperRules,
  ...gitRules,
  ...containerRules,
  ...databaseRules,
  ...interpreterRules,
  ...powershellRules,
  ...systemRules,
  ...longTailRules,
  ...kubernetesRules,
  ...iacRules,
  ...cloudRules,
  ...airlockRules,
});
