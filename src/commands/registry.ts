import { clearCommand } from './clear.js';
import { clusterconfigCommand } from './clusterconfig.js';
import { clustercheckCommand, clustermodeCommand } from './clustermode.js';
import { commitCommand } from './commit.js';
import { grepCommand } from './grep.js';
import { makeHelpCommand } from './help.js';
import { quitCommand } from './quit.js';
import { sethostnameCommand } from './sethostname.js';
import { showchangesCommand } from './showchanges.js';
import { statusCommand } from './status.js';
import { resetcountersCommand } from './resetcounters.js';
import { hoststatusCommand } from './hoststatus.js';
import { showrecipientsCommand } from './showrecipients.js';
import { deleterecipientsCommand } from './deleterecipients.js';
import { delivernowCommand } from './delivernow.js';
import { suspenddelCommand } from './suspenddel.js';
import { resumedelCommand } from './resumedel.js';
import { redirectrecipientsCommand } from './redirectrecipients.js';
import { workqueueCommand } from './workqueue.js';
import { findeventCommand } from './findevent.js';
import { injectCommand } from './inject.js';
import { policyconfigCommand } from './policyconfig.js';
import { tdcconfigCommand } from './tdcconfig.js';
import { listenerconfigCommand } from './listenerconfig.js';
import { interfaceconfigCommand } from './interfaceconfig.js';
import { passwdCommand } from './passwd.js';
import { smtproutesCommand } from './smtproutes.js';
import { sshconfigCommand } from './sshconfig.js';
import { destconfigCommand } from './destconfig.js';
import { setdCommand } from './setd.js';
import { setttymodeCommand } from './setttymode.js';
import { labCommand } from './lab.js';
import type { CommandSpec } from './types.js';
import { tailCommand } from './tail.js';
import { tophostsCommand } from './tophosts.js';
import { versionCommand } from './version.js';
import { whoCommand } from './who.js';
import { startCommand, stopCommand } from './start.js';

/** Every AsyncOS command segsim knows, listed explicitly (no discovery from the filesystem). */
const COMMANDS: readonly CommandSpec[] = [
  tdcconfigCommand,
  policyconfigCommand,
  listenerconfigCommand,
  interfaceconfigCommand,
  passwdCommand,
  sshconfigCommand,
  smtproutesCommand,
  destconfigCommand,
  setdCommand,
  labCommand,
  commitCommand,
  clearCommand,
  showchangesCommand,
  sethostnameCommand,
  versionCommand,
  whoCommand,
  quitCommand,
  tophostsCommand,
  tailCommand,
  grepCommand,
  statusCommand,
  resetcountersCommand,
  hoststatusCommand,
  showrecipientsCommand,
  deleterecipientsCommand,
  delivernowCommand,
  suspenddelCommand,
  resumedelCommand,
  redirectrecipientsCommand,
  workqueueCommand,
  findeventCommand,
  injectCommand,
  startCommand,
  stopCommand,
  clusterconfigCommand,
  clustermodeCommand,
  clustercheckCommand,
  setttymodeCommand,
];

const help = makeHelpCommand(() => ALL);
const ALL: readonly CommandSpec[] = [...COMMANDS, help];

export function commandRegistry(): readonly CommandSpec[] {
  return ALL;
}

export { findCommand } from './help.js';
