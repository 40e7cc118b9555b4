import type { CommandSpec } from './types.js';

/**
 * Each command of the registry (src/commands/registry.ts) by its name, loaded on demand: a
 * one-shot run loads and initialises its own command's modules only, not every command's (their
 * imports reach node:tls, the SETD store, the mail engine...). test/cli/start-up.test.ts checks
 * that this table and the registry name the same commands. help is not here: it lists them all.
 * Aliases are not here either: a run by an alias loads the whole registry, as help does.
 */
export const COMMAND_LOADERS: Readonly<Record<string, () => Promise<CommandSpec>>> = {
  tdcconfig: async () => (await import('./tdcconfig.js')).tdcconfigCommand,
  policyconfig: async () => (await import('./policyconfig.js')).policyconfigCommand,
  listenerconfig: async () => (await import('./listenerconfig.js')).listenerconfigCommand,
  interfaceconfig: async () => (await import('./interfaceconfig.js')).interfaceconfigCommand,
  passwd: async () => (await import('./passwd.js')).passwdCommand,
  smtproutes: async () => (await import('./smtproutes.js')).smtproutesCommand,
  destconfig: async () => (await import('./destconfig.js')).destconfigCommand,
  setd: async () => (await import('./setd.js')).setdCommand,
  lab: async () => (await import('./lab.js')).labCommand,
  commit: async () => (await import('./commit.js')).commitCommand,
  clear: async () => (await import('./clear.js')).clearCommand,
  showchanges: async () => (await import('./showchanges.js')).showchangesCommand,
  sethostname: async () => (await import('./sethostname.js')).sethostnameCommand,
  version: async () => (await import('./version.js')).versionCommand,
  who: async () => (await import('./who.js')).whoCommand,
  quit: async () => (await import('./quit.js')).quitCommand,
  tophosts: async () => (await import('./tophosts.js')).tophostsCommand,
  tail: async () => (await import('./tail.js')).tailCommand,
  grep: async () => (await import('./grep.js')).grepCommand,
  status: async () => (await import('./status.js')).statusCommand,
  resetcounters: async () => (await import('./resetcounters.js')).resetcountersCommand,
  hoststatus: async () => (await import('./hoststatus.js')).hoststatusCommand,
  showrecipients: async () => (await import('./showrecipients.js')).showrecipientsCommand,
  deleterecipients: async () => (await import('./deleterecipients.js')).deleterecipientsCommand,
  delivernow: async () => (await import('./delivernow.js')).delivernowCommand,
  suspenddel: async () => (await import('./suspenddel.js')).suspenddelCommand,
  resumedel: async () => (await import('./resumedel.js')).resumedelCommand,
  redirectrecipients: async () => (await import('./redirectrecipients.js')).redirectrecipientsCommand,
  workqueue: async () => (await import('./workqueue.js')).workqueueCommand,
  findevent: async () => (await import('./findevent.js')).findeventCommand,
  setttymode: async () => (await import('./setttymode.js')).setttymodeCommand,
  inject: async () => (await import('./inject.js')).injectCommand,
  start: async () => (await import('./start.js')).startCommand,
  stop: async () => (await import('./start.js')).stopCommand,
  clusterconfig: async () => (await import('./clusterconfig.js')).clusterconfigCommand,
  clustermode: async () => (await import('./clustermode.js')).clustermodeCommand,
  clustercheck: async () => (await import('./clustermode.js')).clustercheckCommand,
};

/**
 * The command named `word`, loaded; null for any other word (an alias, help, an unknown word:
 * the caller then takes the whole registry).
 */
export async function loadCommand(word: string | undefined): Promise<CommandSpec | null> {
  return word !== undefined && Object.hasOwn(COMMAND_LOADERS, word) ? COMMAND_LOADERS[word]() : null;
}
