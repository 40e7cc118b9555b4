import { DEFAULT_POLICY, USE_DEFAULT, type ApplianceConfig, type MailPolicy, type ServiceSetting, type TdcPolicyMode } from '../engine/config/model.js';
import { configSchema } from '../engine/config/schema.js';
import { mailboxProblem, POLICY_NAME } from '../engine/config/validate.js';
import { inOneEdit, type ConfigEditor } from '../engine/operations/config-editor.js';
import {
  addMembers,
  checkMembers,
  createPolicy,
  deletePolicy,
  findPolicy as find,
  mayUseDefault,
  movePolicy,
  policyIntakeProblem,
  removeMembers,
  renamePolicy,
  SERVICE_LABELS as SERVICE_LABEL,
  setPolicyTdc as setTdc,
  setService,
  splitMembers,
  type MemberKind,
} from '../engine/operations/policies.js';
import { defaultPolicyOf, inherited, memberMatches } from '../engine/policy-match.js';
import { ErrorCodes, UserError } from '../errors.js';
import { withFlagHints, type FlagHints } from './flag-hints.js';
import { CUSTOM_INTAKE_NOTE, members, renderPolicyTable, serviceCell, tdcChoices, tdcDetail, type PolicyTable } from './format/policy-table.js';
import type { CommandContext, CommandSpec } from './types.js';
import { clusterSettingsBatch, clusterSettingsFlags, clusterSettingsItems, clusterSettingsOp } from './cluster-settings.js';

const listOf = (c: ApplianceConfig, table: PolicyTable) => (table === 'incoming' ? c.incomingPolicies : c.outgoingPolicies);

// the flags take the words config.json stores: the schema's lists
const POLICY_FIELDS = configSchema.properties.incomingPolicies.items.properties;
const TDC_MODES: readonly TdcPolicyMode[] = POLICY_FIELDS.tdc.properties.mode.enum;
const SERVICE_SETTINGS: readonly ServiceSetting[] = POLICY_FIELDS.antispam.enum;

const orList = (words: readonly string[]) => `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
const OWN_CHOICES = (choices: readonly string[]) => `choose ${orList(choices.filter((c) => c !== USE_DEFAULT))}`;

/** What the flags add to a refusal: the flag that gives a missing setting, DEFAULT's own choices. */
const FLAG_HINTS: FlagHints = {
  'policy.recipients': 'give --recipient or --sender',
  'policy.tdc.intakeAddress': 'give --intake-address',
  'policy.tdc': OWN_CHOICES(TDC_MODES),
  'policy.antispam': OWN_CHOICES(SERVICE_SETTINGS),
  'policy.antivirus': OWN_CHOICES(SERVICE_SETTINGS),
};

/** A flag's value, one of its choices (any case), or a usage error listing them. */
function flagChoice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  const v = value.toLowerCase();
  if ((choices as readonly string[]).includes(v)) return v as T;
  // segsim 0.1 said "default": for --tdc it meant the global settings, now "global"
  const hint = v === 'default' ? ` ("default" is now "${flag === 'tdc' ? 'global' : USE_DEFAULT}": ${flag === 'tdc' ? 'the global intake address' : "the DEFAULT policy's setting"})` : '';
  throw new UserError(`--${flag} takes ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}, not "${value}"${hint}.`, ErrorCodes.usage);
}

function search(config: Readonly<ApplianceConfig>, table: PolicyTable, address: string): string {
  const problem = mailboxProblem(address);
  if (problem) throw new UserError(`Invalid address "${address}": ${problem}.`, ErrorCodes.invalidValue);
  const policies = listOf(config as ApplianceConfig, table);
  // each side is searched on its own: the other side of the message is unknown here
  const first = (side: 'senders' | 'recipients') => policies.find((p) => p.name !== DEFAULT_POLICY && p[side].some((m) => memberMatches(m, address))) ?? policies.at(-1)!;
  const asSender = first('senders');
  const asRecipient = first('recipients');
  return [
    `As a sender, ${address} matches the ${table} policy: ${asSender.name}`,
    `As a recipient, ${address} matches the ${table} policy: ${asRecipient.name}${table === 'incoming' ? ` (Threat Defense Connector: ${tdcDetail(asRecipient, config)})` : ''}`,
  ].join('\n');
}

// ---- the dialog ----

async function choosePolicy(ctx: CommandContext, table: PolicyTable, includeDefault: boolean): Promise<string | null> {
  const names = listOf(ctx.session.config.pending, table)
    .map((p) => p.name)
    .filter((n) => includeDefault || n !== DEFAULT_POLICY);
  if (names.length === 0) {
    ctx.io.print('There are no policies to choose from besides DEFAULT.');
    return null;
  }
  const i = await ctx.io.list('Enter the name or number of the policy.', names, { allowBlank: true });
  return i === null ? null : names[i]!;
}

/**
 * The appliance's services that segsim does not simulate, in the order NEW asks about them (and
 * what a new policy has of each): the dialog says so instead of leaving them out.
 */
const NOT_SIMULATED = [
  { name: 'Advanced-Malware protection', keyword: 'ADVANCEDMALWARE', description: 'Modify Advanced-Malware protection policy.' },
  { name: 'Content Filters', keyword: 'FILTERS', description: 'Modify Content Filters.' },
  { name: 'Outbreak Filters', keyword: 'OUTBREAK', description: 'Modify Outbreak Filters policy.' },
  { name: 'Graymail', keyword: 'GRAYMAIL', description: 'Modify Graymail policy.' },
  { name: 'user roles', keyword: 'ASSIGN', description: 'Assign user roles to access this policy.', atNew: 'none is assigned to the policy.' },
  { name: 'Advanced Phishing Protection', keyword: 'ADVANCEDPHISHING', description: 'Modify Advanced Phishing Protection policy.' },
  { name: 'Repeat Clickers List', keyword: null, description: '' },
] as const;

/** EDIT's sub-operations for those, in the appliance's order (14.1), which is not NEW's. */
const NOT_SIMULATED_EDIT = ['ADVANCEDMALWARE', 'OUTBREAK', 'FILTERS', 'GRAYMAIL', 'ASSIGN', 'ADVANCEDPHISHING'].map((k) => NOT_SIMULATED.find((s) => s.keyword === k)!);

const notSimulated = (name: string, rest: string) => `segsim does not simulate ${name}: ${rest}`;

const WHO = { senders: 'senders', recipients: 'receivers' } as const;

/** A dialog's check of members typed as one text. */
const membersCheck = (kind: MemberKind) => (text: string) => {
  checkMembers(kind, splitMembers(text));
  return null;
};

/** NEW's members: senders or receivers, entry after entry, as the appliance asks them. */
async function askMembers(ctx: CommandContext): Promise<{ senders: string[]; recipients: string[] }> {
  const added = { senders: [] as string[], recipients: [] as string[] };
  do {
    const kind = (await ctx.io.list('Add entry for policy senders/receivers:', ['Add senders for this policy', 'Add receivers for this policy'], { default: 2 })) === 0 ? 'senders' : 'recipients';
    if ((await ctx.io.list('Policy is applicable for:', ['Email addresses and domains', 'LDAP group memberships'], { default: 1 })) === 1) {
      ctx.io.print(notSimulated('LDAP', `enter the ${WHO[kind]} as addresses and domains.`));
    }
    const entered = splitMembers(
      await ctx.io.text(`Enter the ${WHO[kind]} for this policy: addresses, domains, partial domains (.example.com) or user@, separated by commas.`, { check: membersCheck(kind) }),
    );
    added[kind].push(...entered.filter((m) => !added[kind].includes(m)));
  } while (await ctx.io.yesno('Would you like to add another entry?', false));
  return added;
}

/** NEW's question for a service: enable it, else follow DEFAULT or not. */
async function askService(ctx: CommandContext, label: string): Promise<ServiceSetting> {
  if (await ctx.io.yesno(`Would you like to enable ${label} support?`, false)) return 'on';
  return (await ctx.io.yesno(`Would you like to use the policy table default for ${label}?`, true)) ? USE_DEFAULT : 'off';
}

/** The choice of an intake address of the policy's own, the address asked for with it. */
async function askIntakeAddress(ctx: CommandContext, current?: string): Promise<string> {
  const address = await ctx.io.text('Enter the Message Intake Address for this policy.', {
    default: current,
    check: policyIntakeProblem,
  });
  ctx.io.print(CUSTOM_INTAKE_NOTE);
  return address;
}

/** NEW's Threat Defense Connector question (incoming policies): enable it with an address, else follow DEFAULT or No. */
async function askTdc(ctx: CommandContext): Promise<{ mode: TdcPolicyMode; address?: string }> {
  if (await ctx.io.yesno('Would you like to enable Threat Defense Connector for this policy?', false)) {
    const config = ctx.session.config.pending;
    // the choices that enable it: DEFAULT's list has no use-default to leave out
    const enabling = tdcChoices(config, defaultPolicyOf(config.incomingPolicies)).filter((c) => c.mode !== 'no');
    const choice =
      enabling[
        (await ctx.io.list(
          'Enable Threat Defense Connector for this policy:',
          enabling.map((c) => c.label),
          { default: 1 },
        ))!
      ]!;
    return choice.takesAddress ? { mode: choice.mode, address: await askIntakeAddress(ctx) } : { mode: choice.mode };
  }
  return { mode: (await ctx.io.yesno('Would you like to use the policy table default for Threat Defense Connector?', true)) ? USE_DEFAULT : 'no' };
}

async function newPolicy(ctx: CommandContext, table: PolicyTable): Promise<void> {
  const name = await ctx.io.text('Enter the name for this policy.', { check: POLICY_NAME.problem });
  const { senders, recipients } = await askMembers(ctx);
  const antispam = await askService(ctx, 'Anti-Spam');
  const antivirus = await askService(ctx, 'Anti-Virus');
  for (const s of NOT_SIMULATED) ctx.io.print(notSimulated(s.name, 'atNew' in s ? s.atNew : 'the policy uses the policy table default.'));
  const tdc = table === 'incoming' ? await askTdc(ctx) : null;
  // one edit: a refused answer (a name taken meanwhile) leaves no half-made policy
  inOneEdit(ctx.session.config, (editor) => {
    createPolicy(editor, table, name, senders, recipients);
    setService(editor, table, name, 'antispam', antispam);
    setService(editor, table, name, 'antivirus', antivirus);
    if (tdc) setTdc(editor, table, name, tdc.mode, tdc.address);
  });
}

/** A service's setting, and DEFAULT's when the policy follows it. */
function serviceState(config: Readonly<ApplianceConfig>, table: PolicyTable, p: MailPolicy, service: 'antispam' | 'antivirus'): string {
  const own = serviceCell(p[service]);
  return p[service] === USE_DEFAULT ? `${own} (DEFAULT: ${serviceCell(inherited(p, defaultPolicyOf(listOf(config as ApplianceConfig, table)), service))})` : own;
}

async function editService(ctx: CommandContext, table: PolicyTable, name: string, service: 'antispam' | 'antivirus'): Promise<void> {
  const label = SERVICE_LABEL[service];
  const options = [
    { keyword: 'ENABLE', description: `Enable ${label} scanning for this policy.` },
    { keyword: 'DISABLE', description: `Disable ${label} scanning for this policy.` },
    ...(!mayUseDefault(name) ? [] : [{ keyword: 'DEFAULT', description: `Use the policy table default (the ${label} setting of the DEFAULT policy).` }]),
  ];
  const config = ctx.session.config.pending;
  ctx.io.print(`${label} for policy ${name}: ${serviceState(config, table, find(config, table, name), service)}`);
  const op = await ctx.io.menu(options);
  if (op) setService(ctx, table, name, service, op === 'ENABLE' ? 'on' : op === 'DISABLE' ? 'off' : USE_DEFAULT);
}

async function editTdc(ctx: CommandContext, table: PolicyTable, name: string): Promise<void> {
  if (table === 'outgoing') {
    ctx.io.print('The Threat Defense Connector applies to incoming mail only.');
    return;
  }
  const config = ctx.session.config.pending;
  const p = find(config, table, name);
  ctx.io.print(`Threat Defense Connector for policy ${name}: ${tdcDetail(p, config)}`);
  const choices = tdcChoices(config, p);
  const i = await ctx.io.list(
    'Enable Threat Defense Connector for this policy:',
    choices.map((c) => c.label),
    { default: choices.findIndex((c) => c.mode === p.tdc.mode) + 1 },
  );
  const choice = choices[i ?? 0]!;
  setTdc(ctx, table, name, choice.mode, choice.takesAddress ? await askIntakeAddress(ctx, p.tdc.intakeAddress) : undefined);
}

async function editPolicy(ctx: CommandContext, table: PolicyTable, initial: string): Promise<void> {
  let name = initial;
  for (;;) {
    const p = find(ctx.session.config.pending, table, name);
    const isDefault = p.name === DEFAULT_POLICY;
    ctx.io.print(`\nPolicy: ${p.name}\nMembers: ${members(p)}`);
    const op = await ctx.io.menu([
      ...(isDefault
        ? []
        : [
            { keyword: 'NAME', description: 'Change the name of the policy.' },
            { keyword: 'NEW', description: 'Add a new member to the policy.' },
            { keyword: 'DELETE', description: 'Remove a member from the policy.' },
          ]),
      { keyword: 'PRINT', description: 'Display the policy.' },
      { keyword: 'ANTISPAM', description: 'Modify Anti-Spam policy.' },
      { keyword: 'ANTIVIRUS', description: 'Modify Anti-Virus policy.' },
      ...NOT_SIMULATED_EDIT.map((s) => ({ keyword: s.keyword!, description: s.description })),
      { keyword: 'THREATDEFENSE', description: 'Modify the Threat Defense Connector setting.' },
    ]);
    if (op === null) return;
    const unsimulated = NOT_SIMULATED_EDIT.find((s) => s.keyword === op);
    if (unsimulated) ctx.io.print(notSimulated(unsimulated.name, 'there is nothing to modify.'));
    else if (op === 'NAME') {
      const newName = await ctx.io.text('Enter the new name for this policy.', { check: POLICY_NAME.problem });
      renamePolicy(ctx, table, name, newName);
      name = newName;
    } else if (op === 'NEW') {
      const kind = (await ctx.io.list('Add a member as:', ['Sender', 'Receiver'], { default: 2 })) === 0 ? 'senders' : 'recipients';
      addMembers(ctx, table, name, kind, splitMembers(await ctx.io.text(`Enter the ${WHO[kind]} to add.`, { check: membersCheck(kind) })));
    } else if (op === 'DELETE') {
      const all = [...p.senders.map((s) => `sender ${s}`), ...p.recipients.map((r) => `recipient ${r}`)];
      if (all.length <= 1) {
        ctx.io.print('There is only one member in the policy: it cannot be removed.');
        continue;
      }
      const i = await ctx.io.list('Choose the member to remove.', all, { allowBlank: true });
      if (i === null) continue;
      removeMembers(ctx, table, name, [all[i]!.replace(/^(sender|recipient) /, '')]);
    } else if (op === 'PRINT') ctx.io.print(renderPolicyTable(ctx.session.config.pending, table));
    else if (op === 'ANTISPAM' || op === 'ANTIVIRUS') await editService(ctx, table, name, op === 'ANTISPAM' ? 'antispam' : 'antivirus');
    else await editTdc(ctx, table, name);
  }
}

async function dialog(ctx: CommandContext, table: PolicyTable): Promise<void> {
  for (;;) {
    ctx.io.print(renderPolicyTable(ctx.session.config.pending, table));
    const op = await ctx.io.menu([
      { keyword: 'NEW', description: 'Create a new policy.' },
      { keyword: 'EDIT', description: 'Edit an existing policy.' },
      { keyword: 'DELETE', description: 'Remove a policy.' },
      { keyword: 'PRINT', description: 'Print all policies.' },
      { keyword: 'SEARCH', description: 'Search for a policy by member.' },
      { keyword: 'MOVE', description: 'Move the position of a policy.' },
      ...clusterSettingsItems(ctx),
    ]);
    if (op === null) return;
    try {
      if (await clusterSettingsOp(ctx, 'policyconfig', op)) continue;
      if (op === 'NEW') await newPolicy(ctx, table);
      else if (op === 'EDIT') {
        const name = await choosePolicy(ctx, table, true);
        if (name) await editPolicy(ctx, table, name);
      } else if (op === 'DELETE') {
        const name = await choosePolicy(ctx, table, false);
        if (name && (await ctx.io.yesno(`Are you sure you want to delete the policy ${name}?`, false))) deletePolicy(ctx, table, name);
      } else if (op === 'PRINT') {
        continue;
      } else if (op === 'SEARCH') {
        ctx.io.print(search(ctx.session.config.pending, table, await ctx.io.text('Enter the email address to search for.')));
      } else {
        const name = await choosePolicy(ctx, table, false);
        const last = listOf(ctx.session.config.pending, table).length - 1;
        if (name) movePolicy(ctx, table, name, await ctx.io.number('Enter the new position for the policy.', { min: 1, max: last }));
      }
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      ctx.io.print(error.message);
    }
  }
}

export const policyconfigCommand: CommandSpec = {
  name: 'policyconfig',
  summary: 'Configure per recipient or sender based policies (Incoming Mail Policies).',
  help: [
    'policyconfig [--table incoming|outgoing] [--list] [--json]',
    '             [--new NAME --recipient X... --sender Y... [SETTINGS]]',
    '             [--edit NAME [--name NEW] [--recipient X...] [--sender Y...] [--remove-member M...] [SETTINGS]]',
    '             [--delete NAME] [--move NAME --position N] [--search ADDRESS]',
    'SETTINGS:    [--tdc use-default|global|custom|no [--intake-address ADDR]]',
    '             [--antispam on|off|use-default] [--antivirus on|off|use-default]',
    '',
    'Policies match recipients (or senders) by address, domain, partial domain (.example.com) or user@;',
    'the first match wins, DEFAULT is last. A custom policy starts at "(use default)" for every',
    "service: it follows the DEFAULT policy's setting, whatever that is when mail arrives. Per policy,",
    'the Threat Defense Connector can also use the global intake address (global), a custom intake',
    'address (a second SETD account), or no journaling (no); DEFAULT has those three.',
    'Examples:',
    '  policyconfig --new partner --recipient partner.example',
    '  policyconfig --edit partner --tdc custom --intake-address 15e1c36b@beta.cmd.cisco.com',
    '  policyconfig --edit DEFAULT --tdc no',
    '  segsim policyconfig --search ceo@example.com',
  ].join('\n'),
  configures: true,
  json: 'the policies',
  flags: [
    { flags: '--table <table>', description: 'incoming (default) or outgoing' },
    { flags: '--list', description: 'print the policy table' },
    { flags: '--new <name>', description: 'create a policy' },
    { flags: '--recipient <member>', description: 'with --new or --edit: a recipient member (repeatable)', repeatable: true, needs: ['--new', '--edit'] },
    { flags: '--sender <member>', description: 'with --new or --edit: a sender member (repeatable)', repeatable: true, needs: ['--new', '--edit'] },
    { flags: '--edit <name>', description: 'change a policy' },
    { flags: '--name <name>', description: 'with --edit: the new name of the policy', needs: ['--edit'] },
    { flags: '--remove-member <member>', description: 'with --edit: remove a sender or recipient (repeatable)', repeatable: true, needs: ['--edit'] },
    { flags: '--tdc <choice>', description: 'Threat Defense Connector: use-default, global, custom or no', needs: ['--new', '--edit'] },
    { flags: '--intake-address <address>', description: "with --tdc custom: the policy's Message Intake Address", needs: ['--tdc'] },
    { flags: '--antispam <setting>', description: 'on, off or use-default', needs: ['--new', '--edit'] },
    { flags: '--antivirus <setting>', description: 'on, off or use-default', needs: ['--new', '--edit'] },
    { flags: '--delete <name>', description: 'delete a policy' },
    { flags: '--move <name>', description: 'move a policy (with --position)', needs: ['--position'] },
    { flags: '--position <n>', description: 'new 1-based position', needs: ['--move'], number: { min: 1, max: 10_000 } },
    { flags: '--search <address>', description: 'which policy an address matches' },
    ...clusterSettingsFlags(['--new', '--edit', '--delete', '--move', '--search', '--list']),
  ],
  async run(ctx, { flags }) {
    const clustered = await clusterSettingsBatch(ctx, 'policyconfig', flags);
    if (clustered) return clustered;
    const tableFlag = flags.table === undefined ? 'incoming' : String(flags.table).toLowerCase();
    if (tableFlag !== 'incoming' && tableFlag !== 'outgoing') throw new UserError(`--table takes incoming or outgoing, not "${String(flags.table)}".`, ErrorCodes.usage);
    let table: PolicyTable = tableFlag;
    const str = (k: string) => (flags[k] === undefined ? undefined : String(flags[k]));
    const list = (k: string) => (flags[k] as string[] | undefined) ?? [];
    if (str('new') !== undefined && str('edit') !== undefined) throw new UserError('Give --new or --edit, not both.', ErrorCodes.usage);
    // every value checked before anything changes
    const tdc = str('tdc') === undefined ? undefined : flagChoice('tdc', str('tdc')!, TDC_MODES);
    const services = (['antispam', 'antivirus'] as const).flatMap((s) => (str(s) === undefined ? [] : [[s, flagChoice(s, str(s)!, SERVICE_SETTINGS)] as const]));
    const settings = (editor: ConfigEditor, name: string) => {
      if (tdc !== undefined) setTdc(editor, table, name, tdc, str('intakeAddress'));
      for (const [service, value] of services) setService(editor, table, name, service, value);
    };
    // each action is one edit: a refused part changes nothing
    withFlagHints(FLAG_HINTS, () => {
      if (str('new') !== undefined) {
        inOneEdit(ctx.session.config, (editor) => {
          createPolicy(editor, table, str('new')!, list('sender'), list('recipient'));
          settings(editor, str('new')!);
        });
      }
      if (str('edit') !== undefined) {
        inOneEdit(ctx.session.config, (editor) => {
          let name = find(editor.session.config.pending, table, str('edit')!).name;
          if (str('name') !== undefined) {
            renamePolicy(editor, table, name, str('name')!);
            name = str('name')!;
          }
          if (list('sender').length > 0) addMembers(editor, table, name, 'senders', list('sender'));
          if (list('recipient').length > 0) addMembers(editor, table, name, 'recipients', list('recipient'));
          if (list('removeMember').length > 0) removeMembers(editor, table, name, list('removeMember'));
          settings(editor, name);
        });
      }
      if (str('delete') !== undefined) deletePolicy(ctx, table, str('delete')!);
      if (str('move') !== undefined) movePolicy(ctx, table, str('move')!, Number(flags.position));
    });
    if (str('search') !== undefined) ctx.io.print(search(ctx.session.config.pending, table, str('search')!));
    const acted = ['new', 'edit', 'delete', 'move', 'search'].some((k) => flags[k] !== undefined);
    if (ctx.json || flags.list || (!acted && !ctx.interactive)) {
      const pending = ctx.session.config.pending;
      return { data: listOf(pending, table), render: (io) => io.print(renderPolicyTable(pending, table)) };
    }
    if (!acted) {
      if (flags.table === undefined) {
        const i = await ctx.io.list('Would you like to configure Incoming or Outgoing Mail Policies?', ['Incoming', 'Outgoing'], { default: 1 });
        table = i === 1 ? 'outgoing' : 'incoming';
      }
      await dialog(ctx, table);
    }
  },
};
