import { screenDate } from '../engine/time-format.js';
import { ErrorCodes, UserError } from '../errors.js';
import { checkValue, HEADER_NAME, PORT } from '../engine/config/validate.js';
import { REGION, REGIONS } from '../setd/regions.js';
import { SETD_TLS_VERSIONS, type SetdTlsVersion } from '../setd/intake-tls.js';
import type { Fault, FaultClearing, FaultMode, ReceivedJournal, SetdAccount, SetdStore } from '../setd/store.js';
import { describeProblem, type FileProblem } from '../setd/checked-file.js';
import { VERDICTS } from '../setd/verdicts.js';
import { ACCEPTED, DEFAULT_SEG_HEADER, DIRECTION_QUESTION, HEADER_QUESTION, SEG_QUESTION, SEG_TYPE_QUESTION, VISIBILITY_QUESTION, WIZARD_STEPS } from '../setd/wizard-steps.js';
import type { Conversation } from '../conversation/conversation.js';
import { count } from './format/numbers.js';
import { pause } from './live.js';
import { parseDecimal } from './numbers.js';
import type { CommandContext, CommandSpec } from './types.js';
import { setdStoreOf } from '../setd/appliance-store.js';

/** Bounds of the fault flags: a slow command up to 5 minutes, a fault up to a week or a million messages. */
const LIMITS = {
  delay: { min: 1, max: 300_000, unit: 'milliseconds' },
  forSeconds: { min: 1, max: 7 * 24 * 3600, unit: 'seconds' },
  next: { min: 1, max: 1_000_000 },
} as const;

function renderAccount(a: SetdAccount): string {
  const region = REGIONS.find((r) => r.key === a.region)!;
  return [
    `Account ${a.id}${a.name ? ` (${a.name})` : ''}`,
    `  Secure Email Gateway: present, ${a.segType === 'cisco' ? 'Cisco SEG' : 'non-Cisco SEG'}, header ${a.header}`,
    `  Message source: Secure Email Gateway (${a.direction} only)`,
    `  Visibility & Remediation: No Authentication (${a.visibility})`,
    `  Region: ${region.name}`,
    `  Message Intake Address: ${a.intakeAddress}`,
  ].join('\n');
}

/** The setup wizard, as the seed walks it (WIZARD_STEPS): SEG -> header -> message source -> visibility -> intake address. */
async function wizard(ctx: CommandContext, store: SetdStore, name?: string): Promise<SetdAccount> {
  const io = ctx.io;
  const labels = (q: { choices: readonly { label: string; group?: string }[] }) => q.choices.map((c) => (c.group ? `${c.group}: ${c.label}` : c.label));
  /** asks until the emulator's one accepted answer is given */
  const insist = async (q: { prompt: string; choices: readonly { key: string; label: string; group?: string }[]; refusal: string }, accepted: string) => {
    const wanted = q.choices.findIndex((c) => c.key === accepted);
    while ((await io.list(q.prompt, labels(q), { default: wanted + 1 })) !== wanted) io.print(q.refusal);
  };
  io.print(`Welcome to Cisco Secure Email Threat Defense\n\n${WIZARD_STEPS.map((s, i) => `${i + 1} ${s}`).join(' > ')}`);
  await insist(SEG_QUESTION, ACCEPTED.seg);
  const type = await io.list(`${SEG_TYPE_QUESTION.prompt}:`, labels(SEG_TYPE_QUESTION), { default: 1 });
  let header: string = DEFAULT_SEG_HEADER;
  const headerChoice = await io.list(HEADER_QUESTION.prompt, labels(HEADER_QUESTION), { default: type === 0 ? 1 : 2 });
  if (headerChoice === 1) header = await io.text(HEADER_QUESTION.customPrompt, { check: HEADER_NAME.problem });
  await insist(DIRECTION_QUESTION, ACCEPTED.direction);
  await insist(VISIBILITY_QUESTION, ACCEPTED.visibility);
  const region = await io.list(
    'Region of this account:',
    REGIONS.map((r) => r.name),
    { default: 1 },
  );
  const account = store.createAccount({ name, region: REGIONS[region!]!.key, segType: SEG_TYPE_QUESTION.choices[type ?? 0]!.key, header });
  io.print(`\n4 Message Intake\nConfigure your Secure Email Gateway to send messages to Secure Email Threat Defense for processing.\nMessage Intake Address: ${account.intakeAddress}`);
  return account;
}

function renderMessages(messages: ReceivedJournal[], accounts: SetdAccount[]): string {
  const label = (id: string) => accounts.find((a) => a.id === id)?.name || id;
  const rows = messages.map((m) =>
    [
      screenDate(m.receivedAt).slice(4, 19),
      m.sender.slice(0, 26).padEnd(26),
      `${m.senderIp}${m.ipFromHeader ? '' : '!'}`.padEnd(16),
      m.recipients.join(',').slice(0, 24).padEnd(24),
      m.subject.slice(0, 24).padEnd(24),
      m.verdict.padEnd(10),
      m.gatewayMid.padEnd(8),
      label(m.account),
    ].join(' '),
  );
  const totals = VERDICTS.map((v) => `${v} ${count(messages.filter((m) => m.verdict === v).length)}`).join(', ');
  return [
    `${'Received'.padEnd(15)} ${'Sender'.padEnd(26)} ${'Sender IP'.padEnd(16)} ${'Recipients'.padEnd(24)} ${'Subject'.padEnd(24)} ${'Verdict'.padEnd(10)} ${'MID'.padEnd(8)} Account`,
    ...rows,
    '',
    `${count(messages.length)} messages. Verdicts: ${totals}`,
    ...(messages.some((m) => !m.ipFromHeader) ? ["! the SEG header was missing: the gateway's own IP is shown, as SETD would see it"] : []),
  ].join('\n');
}

function parseFault(args: string[], flags: Record<string, unknown>, store: SetdStore, now: number): Fault | FaultClearing {
  const mode = (args[1] ?? '').toLowerCase() as FaultMode;
  const modes: FaultMode[] = ['none', '4xx', '5xx', 'tls', 'timeout', 'refuse', 'slow'];
  if (!modes.includes(mode)) throw new UserError(`setd fault takes a mode: ${modes.join(', ')}.`, ErrorCodes.usage);
  const account = flags.account === undefined ? null : store.account(String(flags.account)).id;
  if (mode === 'none') return { account, mode };
  const fault: Fault = { account, mode };
  if (mode === '4xx' || mode === '5xx') {
    const [min, max] = mode === '4xx' ? [400, 499] : [500, 599];
    fault.code = flags.code === undefined ? (mode === '4xx' ? 451 : 550) : parseDecimal(flags.code, { name: `--code of a ${mode} fault`, min, max });
    const at = flags.at === undefined ? 'rcpt' : String(flags.at).toLowerCase();
    if (at !== 'rcpt' && at !== 'data') throw new UserError('--at takes rcpt or data.', ErrorCodes.usage);
    fault.at = at;
  }
  if (mode === 'slow') fault.delayMs = flags.delay === undefined ? 2000 : parseDecimal(flags.delay, { name: '--delay', ...LIMITS.delay });
  if (flags.forSeconds !== undefined) fault.until = now + parseDecimal(flags.forSeconds, { name: '--for-seconds', ...LIMITS.forSeconds }) * 1000;
  if (flags.next !== undefined) fault.remaining = parseDecimal(flags.next, { name: '--next', ...LIMITS.next });
  return fault;
}

/** Store files found bad: said before anything else, so a fault that "does nothing" is explained. */
function printFileProblems(io: Conversation, store: SetdStore): void {
  for (const p of store.problems()) io.print(`Warning: ${describeProblem(p)}${p.file.endsWith('faults.json') ? ' The faults in it do not apply.' : ''}`);
}

function describeFault(f: Fault): string {
  const target = f.account ? `account ${f.account}` : 'every account';
  const what = f.mode === '4xx' || f.mode === '5xx' ? `${f.code} at ${(f.at ?? 'rcpt').toUpperCase()}` : f.mode === 'slow' ? `slow (${f.delayMs} ms per command)` : f.mode;
  const when = f.remaining !== undefined ? `, for the next ${f.remaining}` : f.until !== undefined ? `, until ${screenDate(f.until)}` : '';
  return `${what} for ${target}${when}`;
}

export const setdCommand: CommandSpec = {
  name: 'setd',
  summary: 'The Secure Email Threat Defense emulator: setup wizard, accounts, dashboard, faults.',
  help: [
    'setd setup [--yes] [--name LABEL] [--seg yes|no] [--seg-type cisco|other] [--header NAME] [--region REGION]',
    'setd accounts [--json]',
    'setd messages [--account ID] [--verdict V] [--watch] [--json]',
    'setd fault none|4xx|5xx|tls|timeout|refuse|slow [--account ID] [--code N] [--at rcpt|data]',
    '           [--for-seconds N] [--next N] [--delay MS]',
    'setd start [--port N]',
    '',
    `Regions: ${REGIONS.map((r) => r.key).join(', ')}. Verdicts: ${VERDICTS.join(', ')}.`,
    'Faults: 4xx/5xx answer journals to the account with the code (at RCPT or DATA); tls makes the',
    'handshake fail; timeout accepts the connection and never greets; refuse closes the intake port',
    '(connection refused; with --next N it resets the next N connections instead); slow delays every',
    'command. --next N ends the fault after N messages ("fails once, then succeeds"), --for-seconds N',
    'after N seconds. Examples:',
    '  setd setup --yes --region beta --name primary',
    '  setd fault 4xx --code 451 --next 1 --account primary',
    '  setd messages --verdict Phishing',
  ].join('\n'),
  subcommands: [
    {
      name: 'setup',
      summary: 'the SETD setup wizard: an account and its Message Intake Address',
      flags: [
        { flags: '--yes', description: 'accept every default' },
        { flags: '--name <label>', description: 'a label for the account' },
        { flags: '--seg <answer>', description: 'is a Secure Email Gateway present', choices: ['yes', 'no'] },
        { flags: '--seg-type <type>', description: 'the kind of gateway', choices: ['cisco', 'other'] },
        { flags: '--header <name>', description: 'the SEG header carrying the sender IP' },
        { flags: '--region <region>', description: 'the region' },
      ],
      json: 'the account',
    },
    { name: 'accounts', summary: 'the accounts and their intake addresses', json: 'the accounts' },
    {
      name: 'messages',
      summary: 'the dashboard of received journals',
      flags: [
        { flags: '--account <id>', description: 'an account id, name or intake address' },
        { flags: '--verdict <verdict>', description: 'only this verdict' },
        { flags: '--watch', description: 'refresh as journals arrive', conflicts: ['--json'] },
      ],
      json: 'the journals',
    },
    {
      name: 'fault',
      summary: 'make the intake fail',
      args: '<mode>',
      flags: [
        { flags: '--account <id>', description: 'an account id, name or intake address' },
        { flags: '--code <code>', description: 'the SMTP code (4xx, 5xx)' },
        { flags: '--at <stage>', description: 'where the code is answered', choices: ['rcpt', 'data'] },
        { flags: '--for-seconds <n>', description: 'only for N seconds', conflicts: ['--next'] },
        { flags: '--next <n>', description: 'only for the next N messages' },
        { flags: '--delay <ms>', description: 'slow: delay per command' },
      ],
    },
    {
      name: 'start',
      summary: 'run the SETD intake alone, in the foreground',
      flags: [
        { flags: '--port <port>', description: 'the intake port' },
        { flags: '--tls <version>', description: "the highest TLS version negotiated (default 1.2, ECDHE-RSA-AES128-GCM-SHA256 as in the seed's log)", choices: [...SETD_TLS_VERSIONS] },
      ],
    },
  ],
  async run(ctx, { args, flags }) {
    const store = setdStoreOf(ctx.appliance);
    const sub = (args[0] ?? '').toLowerCase();
    switch (sub) {
      case 'setup': {
        store.accounts(); // a bad accounts.json is said before the wizard asks anything
        const name = flags.name === undefined ? undefined : String(flags.name);
        const answered = ['yes', 'seg', 'segType', 'header', 'region'].some((k) => flags[k] !== undefined);
        if (!answered && ctx.interactive) {
          await wizard(ctx, store, name);
          return;
        }
        if (flags.seg !== undefined && String(flags.seg).toLowerCase() !== 'yes') {
          throw new UserError('Without a Secure Email Gateway the message source is Microsoft 365, which the emulator does not have: use --seg yes.', ErrorCodes.invalidValue);
        }
        const segType = flags.segType === undefined ? 'cisco' : String(flags.segType).toLowerCase();
        if (segType !== 'cisco' && segType !== 'other') throw new UserError('--seg-type takes cisco or other.', ErrorCodes.usage);
        if (flags.region !== undefined) checkValue(REGION, String(flags.region));
        const account = store.createAccount({ name, region: flags.region as string | undefined, segType, header: flags.header as string | undefined });
        return { data: account, render: (io) => io.print(renderAccount(account)) };
      }
      case 'accounts': {
        const accounts = store.accounts(); // while accounts.json is bad, this says so (exit status 1)
        return {
          data: accounts,
          render: (io) => {
            printFileProblems(io, store);
            io.print(accounts.length === 0 ? 'There are no SETD accounts. Create one with "setd setup".' : accounts.map(renderAccount).join('\n\n'));
          },
        };
      }
      case 'messages': {
        if (flags.verdict !== undefined && !VERDICTS.some((v) => v.toLowerCase() === String(flags.verdict).toLowerCase())) {
          throw new UserError(`Unknown verdict "${String(flags.verdict)}". Verdicts: ${VERDICTS.join(', ')}.`, ErrorCodes.invalidValue);
        }
        const account = flags.account === undefined ? undefined : store.account(String(flags.account)).id;
        const list = () => store.messages(account).filter((m) => flags.verdict === undefined || m.verdict.toLowerCase() === String(flags.verdict).toLowerCase());
        if (!flags.watch) {
          const messages = list();
          return { data: messages, render: (io) => io.print(renderMessages(messages, store.accounts())) };
        }
        return ctx.io.live('Showing the last 20; refreshing every second.', async () => {
          do ctx.io.frame(renderMessages(list().slice(-20), store.accounts()));
          while (!(await pause(1000, ctx.signal)));
        });
      }
      case 'fault': {
        const fault = parseFault(args, flags, store, store.clock.now());
        // shown before the write, which replaces a bad faults.json (its copy stays set aside)
        printFileProblems(ctx.io, store);
        store.setFault(fault);
        const active = store.activeFaults();
        ctx.io.print(fault.mode === 'none' ? (fault.account ? `Fault cleared for account ${fault.account}.` : 'Every fault cleared.') : `Fault set: ${describeFault(fault)}.`);
        if (active.length > 0) ctx.io.print(`Active faults:\n${active.map((f) => `  ${describeFault(f)}`).join('\n')}`);
        return;
      }
      case 'start': {
        const port = flags.port === undefined ? 0 : parseDecimal(flags.port, { name: '--port', ...PORT });
        // loaded only here: a one-shot command should not pay for the SMTP stack
        const { SetdEmulator } = await import('../setd/intake-server.js');
        const tls = (flags.tls as SetdTlsVersion | undefined) ?? '1.2';
        const emulator = new SetdEmulator(store, ctx.appliance.paths.tls, { tls });
        const address = await emulator.start({ port });
        ctx.io.print(`SETD intake listening on ${address.address}:${address.port} (STARTTLS up to TLS ${tls}, lab CA in ${ctx.appliance.paths.tls}).`);
        emulator.on('message', (m: ReceivedJournal) => ctx.io.print(`${screenDate(m.receivedAt)} journal for ${m.account}: ${m.sender} "${m.subject}" verdict ${m.verdict}`));
        const problem = (p: FileProblem) => ctx.io.print(`Warning: ${describeProblem(p)}`);
        store.on('problem', problem);
        try {
          await ctx.io.live('Showing journals as they arrive.', () => pause(2 ** 31 - 1, ctx.signal).then(() => undefined));
        } finally {
          store.off('problem', problem);
          await emulator.stop();
        }
        return;
      }
      default:
        throw new UserError('setd needs a subcommand: setup, accounts, messages, fault or start. Enter "help setd".', ErrorCodes.usage);
    }
  },
};
