import type { ApplianceConfig } from '../engine/config/model.js';
import { changeTdcSettings, intakeAddressProblem } from '../engine/operations/tdc.js';
import { ErrorCodes, UserError } from '../errors.js';
import { withFlagHints } from './flag-hints.js';
import type { CommandContext, CommandSpec } from './types.js';

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
    check: intakeAddressProblem,
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
      changeTdcSettings(ctx, { intakeAddress: address, enabled: op === 'ENABLE' ? true : undefined });
    } else if (await ctx.io.yesno('Do you want to disable the Threat Defense Connector?', false)) {
      changeTdcSettings(ctx, { enabled: false });
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
      const intakeAddress = flags.intakeAddress === undefined ? undefined : String(flags.intakeAddress);
      withFlagHints({ 'tdc.intakeAddress': 'give --intake-address' }, () => changeTdcSettings(ctx, { enabled, intakeAddress }));
      return;
    }
    if (ctx.json || !ctx.interactive) {
      const pending = config.pending;
      return { data: pending.tdc, render: (io) => io.print(renderTdcSettings(pending)) };
    }
    await dialog(ctx);
  },
};
