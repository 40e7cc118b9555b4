import type { ApplianceConfig } from '../engine/config/model.js';
import { assertMailbox, mailboxProblem } from '../engine/config/validate.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { ConfigEditor } from './config-editor.js';
import type { CommandContext, CommandSpec } from './types.js';

/**
 * Changes the global settings (the operation behind the flags, the dialog and the web page).
 * Enabling needs an intake address, given or already set; a null address clears it, which a
 * disabled connector allows (the web page's emptied field).
 */
export function applyTdcSettings(ctx: ConfigEditor, change: { enabled?: boolean; intakeAddress?: string | null }): void {
  const address = change.intakeAddress === undefined || change.intakeAddress === null ? change.intakeAddress : assertMailbox(change.intakeAddress, 'Message Intake Address');
  ctx.session.config.edit((c) => {
    if (address !== undefined) c.tdc.intakeAddress = address;
    if (change.enabled === true && !c.tdc.intakeAddress) {
      throw new UserError('Cannot enable the Threat Defense Connector without a Message Intake Address: give --intake-address.', ErrorCodes.invalidValue);
    }
    if (change.enabled !== undefined) c.tdc.enabled = change.enabled;
  });
}

export function renderTdcSettings(config: Readonly<ApplianceConfig>): string {
  return [
    'Threat Defense Connector Settings',
    '',
    `Threat Defense Connector: ${config.tdc.enabled ? 'Enabled' : 'Disabled'}`,
    `Message Intake Address:   ${config.tdc.intakeAddress ?? '(not set)'}`,
  ].join('\n');
}

const askAddress = (ctx: CommandContext, current: string | null) =>
  ctx.io.text('Enter the Message Intake Address (from Cisco Secure Email Threat Defense):', {
    default: current ?? undefined,
    validate: (v) => {
      const problem = mailboxProblem(v);
      return problem ? `That value is not valid: ${problem}.` : null;
    },
  });

async function dialog(ctx: CommandContext): Promise<void> {
  const config = ctx.session.config;
  for (;;) {
    ctx.io.print(renderTdcSettings(config.pending));
    const enabled = config.pending.tdc.enabled;
    const op = await ctx.io.menu([
      enabled ? { keyword: 'DISABLE', description: 'Disable the Threat Defense Connector.' } : { keyword: 'ENABLE', description: 'Enable the Threat Defense Connector.' },
      { keyword: 'EDIT', description: 'Change the Message Intake Address.' },
    ]);
    if (op === null) return;
    if (op === 'ENABLE' || op === 'EDIT') {
      const address = await askAddress(ctx, config.pending.tdc.intakeAddress);
      applyTdcSettings(ctx, { intakeAddress: address, enabled: op === 'ENABLE' ? true : undefined });
    } else if (await ctx.io.yesno('Do you want to disable the Threat Defense Connector?', false)) {
      applyTdcSettings(ctx, { enabled: false });
    }
  }
}

export const tdcconfigCommand: CommandSpec = {
  name: 'tdcconfig',
  summary: 'Configure the Threat Defense Connector (journaling to Secure Email Threat Defense).',
  help: [
    'tdcconfig [--enable --intake-address ADDRESS | --disable | --intake-address ADDRESS] [--json]',
    '',
    'Global Threat Defense Connector settings: whether it is enabled, and the default Message Intake',
    'Address that SETD issued. Incoming Mail Policies choose per policy whether they use this address,',
    'a custom one, or no journaling (policyconfig). Examples:',
    '  tdcconfig --enable --intake-address b5986efe@beta.cmd.cisco.com',
    '  segsim tdcconfig --json',
  ].join('\n'),
  configures: true,
  json: 'the settings',
  flags: [
    { flags: '--enable', description: 'enable the connector (needs an intake address)' },
    { flags: '--disable', description: 'disable the connector' },
    { flags: '--intake-address <address>', description: 'the default Message Intake Address' },
  ],
  async run(ctx, { flags }) {
    const config = ctx.session.config;
    if (flags.enable && flags.disable) throw new UserError('Use --enable or --disable, not both.', ErrorCodes.usage);
    if (flags.enable || flags.disable || flags.intakeAddress !== undefined) {
      const enabled = flags.enable ? true : flags.disable ? false : undefined;
      applyTdcSettings(ctx, { enabled, intakeAddress: flags.intakeAddress === undefined ? undefined : String(flags.intakeAddress) });
      return;
    }
    if (ctx.json || !ctx.interactive) {
      const pending = config.pending;
      return { data: pending.tdc, render: (io) => io.print(renderTdcSettings(pending)) };
    }
    await dialog(ctx);
  },
};
