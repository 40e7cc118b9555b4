import { effectiveLogSubscriptions, LOG_LEVELS, LOG_TYPES, SYSLOG_FACILITIES, type ApplianceConfig, type LogSubscription } from '../engine/config/model.js';
import {
  checkLogName,
  DEFAULT_FACILITY,
  deleteLogSubscription,
  editLogSubscription,
  LOG_FILE_BYTES,
  LOG_FILE_COUNT,
  LOG_LEVEL_LABELS,
  LOG_TYPE_LABELS,
  newLogSubscription,
  SYSLOG_PORT,
  SYSLOG_PROTOCOLS,
  syslogHostProblem,
  syslogPushAllowed,
  type LogSubscriptionChanges,
  type RetrievalChange,
} from '../engine/operations/log-subscriptions.js';
import { SettingError } from '../engine/operations/setting-error.js';
import { ErrorCodes, UserError } from '../errors.js';
import { withFlagHints, type FlagHints } from './flag-hints.js';
import type { CommandContext, CommandSpec } from './types.js';

/** The subscriptions in the order the appliance lists them: by name. */
const listed = (config: Readonly<ApplianceConfig>): LogSubscription[] => [...effectiveLogSubscriptions(config)].sort((a, b) => a.name.localeCompare(b.name));

function retrievalText(sub: LogSubscription): string {
  const r = sub.retrieval;
  return r.method === 'manual' ? 'Manual Download' : `Syslog Push - Host ${r.host} Port ${r.port} ${r.protocol.toUpperCase()} Facility ${r.facility}`;
}

/** `Currently configured logs:` and one numbered line per subscription, as the appliance lists them. */
export function renderLogSubscriptions(config: Readonly<ApplianceConfig>): string {
  const subs = listed(config);
  if (subs.length === 0) return 'No logs are configured.';
  return ['Currently configured logs:', ...subs.map((s, i) => `${i + 1}. "${s.name}" Type: "${LOG_TYPE_LABELS[s.type]}" Retrieval: ${retrievalText(s)}`)].join('\n');
}

/** What the command line adds to a refusal that names no value. */
const FLAG_HINTS: FlagHints = {
  'log.syslog.host': 'give --syslog-push HOST[:PORT]',
};

/** `HOST`, `HOST:PORT` or `[IPv6]:PORT`; a bare IPv6 address is a host. The port is checked by the operation. */
export function parseSyslogTarget(text: string): { host: string; port?: string } {
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] };
  const colons = text.split(':').length - 1;
  if (colons !== 1) return { host: text };
  const [host, port] = text.split(':');
  return { host: host!, port };
}

/** The retrieval the flags give, if any. */
function retrievalFromFlags(flags: Record<string, unknown>): RetrievalChange | undefined {
  if (flags.manual) return { method: 'manual' };
  const push = flags.syslogPush === undefined ? undefined : parseSyslogTarget(String(flags.syslogPush));
  if (push === undefined && flags.protocol === undefined && flags.facility === undefined) return undefined;
  return {
    method: 'syslog',
    host: push?.host,
    port: push?.port,
    protocol: flags.protocol === undefined ? undefined : String(flags.protocol),
    facility: flags.facility === undefined ? undefined : String(flags.facility),
  };
}

function changesFromFlags(flags: Record<string, unknown>): LogSubscriptionChanges {
  return {
    name: flags.name === undefined ? undefined : String(flags.name),
    level: flags.level === undefined ? undefined : String(flags.level),
    maxFileBytes: flags.maxFileSize === undefined ? undefined : Number(flags.maxFileSize),
    maxFiles: flags.maxFiles === undefined ? undefined : Number(flags.maxFiles),
    retrieval: retrievalFromFlags(flags),
  };
}

const SETTING_FLAGS = ['name', 'level', 'maxFileSize', 'maxFiles', 'syslogPush', 'protocol', 'facility', 'manual'];

/** Runs the flags' operation; true when there was one. */
function runFlags(ctx: CommandContext, flags: Record<string, unknown>): boolean {
  const actions = ['new', 'edit', 'delete'].filter((f) => flags[f] !== undefined);
  if (actions.length > 1) throw new UserError(`Use one of --new, --edit and --delete at a time.`, ErrorCodes.usage);
  const setting = SETTING_FLAGS.find((f) => flags[f] !== undefined);
  if (actions.length === 0) {
    if (setting) throw new UserError('Say which log subscription with --edit NAME (or --new NAME --type TYPE).', ErrorCodes.usage);
    return false;
  }
  withFlagHints(FLAG_HINTS, () => {
    if (flags.new !== undefined) {
      if (flags.type === undefined) throw new UserError(`--new needs --type (${LOG_TYPES.join(', ')}).`, ErrorCodes.usage);
      if (flags.name !== undefined) throw new UserError('--name renames a subscription with --edit; --new takes the name itself.', ErrorCodes.usage);
      newLogSubscription(ctx, String(flags.type), String(flags.new), changesFromFlags(flags));
    } else if (flags.edit !== undefined) {
      if (!setting)
        throw new UserError(`Say what to change in ${String(flags.edit)}: --level, --syslog-push, --protocol, --facility, --manual, --max-file-size, --max-files or --name.`, ErrorCodes.usage);
      editLogSubscription(ctx, String(flags.edit), changesFromFlags(flags));
    } else {
      if (setting) throw new UserError('--delete takes no other setting.', ErrorCodes.usage);
      deleteLogSubscription(ctx, String(flags.delete));
    }
  });
  return true;
}

/** The appliance's own sentence for a name in use (`Log name 'x' already in use.`), else null. */
function inUse(check: () => unknown): string | null {
  try {
    check();
  } catch (error) {
    if (error instanceof SettingError && error.code === ErrorCodes.conflict) return error.message;
  }
  return null;
}

/** The dialog's questions for a new subscription of `type`, or an edited one (`current`). */
async function askSettings(ctx: CommandContext, type: LogSubscription['type'], current?: LogSubscription): Promise<LogSubscriptionChanges & { name: string }> {
  const { io } = ctx;
  const pending = ctx.session.config.pending;
  const name = await io.text('Please enter the name for the log:', {
    default: current?.name,
    // a name in use is said as the appliance says it; a name against the rule is "not valid"
    validate: (answer) => inUse(() => checkLogName(pending, answer, current?.name)),
    check: (answer) => (checkLogName(pending, answer, current?.name), null),
  });
  const levelIndex = await io.list(
    'Log level:',
    LOG_LEVELS.map((l) => LOG_LEVEL_LABELS[l]),
    { default: LOG_LEVELS.indexOf(current?.level ?? 'information') + 1 },
  );
  const methods = syslogPushAllowed(type) ? ['Download Manually', 'Syslog Push'] : ['Download Manually'];
  const was = current?.retrieval;
  const method = await io.list('Choose the method to retrieve the logs.', methods, { default: was?.method === 'syslog' ? 2 : 1 });
  let retrieval: RetrievalChange = { method: 'manual' };
  if (method === 1) {
    const old = was?.method === 'syslog' ? was : undefined;
    const host = await io.text('Hostname to deliver the logs:', { default: old?.host, check: syslogHostProblem });
    const port = await io.number('Port to connect to on the remote host:', { min: SYSLOG_PORT.min, max: SYSLOG_PORT.max, default: old?.port ?? SYSLOG_PORT.default });
    const protocol = await io.list('Which protocol do you want to use to transfer the log data?', ['UDP', 'TCP'], { default: SYSLOG_PROTOCOLS.indexOf(old?.protocol ?? 'udp') + 1 });
    const facility = await io.list('Which facility do you want the log data to be sent as?', [...SYSLOG_FACILITIES], {
      default: SYSLOG_FACILITIES.indexOf(old?.facility ?? DEFAULT_FACILITY) + 1,
    });
    retrieval = { method: 'syslog', host, port, protocol: SYSLOG_PROTOCOLS[protocol!], facility: SYSLOG_FACILITIES[facility!] };
  }
  const maxFileBytes = await io.number('Please enter the maximum file size:', { ...LOG_FILE_BYTES, default: current?.maxFileBytes ?? 10_485_760 });
  const maxFiles = await io.number('Please enter the maximum number of files:', { ...LOG_FILE_COUNT, default: current?.maxFiles ?? 10 });
  return { name, level: LOG_LEVELS[levelIndex!], retrieval, maxFileBytes, maxFiles };
}

async function dialog(ctx: CommandContext): Promise<void> {
  const { io } = ctx;
  const config = ctx.session.config;
  for (;;) {
    io.print(renderLogSubscriptions(config.pending));
    const op = await io.menu([
      { keyword: 'NEW', description: 'Create a new log.' },
      { keyword: 'EDIT', description: 'Modify a log subscription.' },
      { keyword: 'DELETE', description: 'Remove a log subscription.' },
    ]);
    if (op === null) return;
    if (op === 'NEW') {
      const t = await io.list(
        'Choose the log file type for this subscription:',
        LOG_TYPES.map((type) => LOG_TYPE_LABELS[type]),
        { default: 1 },
      );
      const type = LOG_TYPES[t!];
      const { name, ...changes } = await askSettings(ctx, type);
      newLogSubscription(ctx, type, name, changes);
      continue;
    }
    const subs = listed(config.pending);
    if (subs.length === 0) continue;
    const i = await io.list(
      `Enter the number of the log you wish to ${op === 'EDIT' ? 'edit' : 'delete'}.`,
      subs.map((s) => s.name),
      { allowBlank: true },
    );
    if (i === null) continue;
    const sub = subs[i]!;
    if (op === 'DELETE') {
      deleteLogSubscription(ctx, sub.name);
      continue;
    }
    const changes = await askSettings(ctx, sub.type, sub);
    editLogSubscription(ctx, sub.name, changes);
  }
}

export const logconfigCommand: CommandSpec = {
  name: 'logconfig',
  summary: 'Configure log subscriptions (files, rollover, syslog push to a SIEM).',
  help: [
    'logconfig [--new NAME --type TYPE | --edit NAME | --delete NAME] [--level LEVEL] [--syslog-push HOST[:PORT]',
    '          --protocol udp|tcp --facility FACILITY | --manual] [--max-file-size BYTES] [--max-files N] [--name NEW] [--json]',
    '',
    'Each log subscription writes one log type (mail_logs, system_logs, authentication, gui_logs) to',
    'logs/<name>/ at its level (critical, warning, information, debug, trace), rolled over by size. A',
    'subscription retrieved by syslog push also sends every line to a syslog host (UDP or TCP, port 514',
    'by default) in the form SIEMs parse. Changes take effect at commit. Examples:',
    '  logconfig --edit mail_logs --syslog-push siem.example.com:514 --protocol tcp --facility mail',
    '  logconfig --new siem_auth --type system_logs --level warning --syslog-push 10.0.0.5',
    '  logconfig --edit mail_logs --manual',
  ].join('\n'),
  configures: true,
  json: 'the log subscriptions',
  flags: [
    { flags: '--new <name>', description: 'create a subscription (with --type)' },
    { flags: '--type <type>', description: `its log type: ${LOG_TYPES.join(', ')}`, needs: ['--new'] },
    { flags: '--edit <name>', description: 'change a subscription' },
    { flags: '--delete <name>', description: 'delete a subscription (its files stay)' },
    { flags: '--name <name>', description: 'a new name for the subscription', needs: ['--edit'] },
    { flags: '--level <level>', description: `log level: ${LOG_LEVELS.join(', ')}`, needs: ['--new', '--edit'] },
    { flags: '--syslog-push <host[:port]>', description: 'retrieve by syslog push to this host (port 514 by default)', needs: ['--new', '--edit'], conflicts: ['--manual'] },
    { flags: '--protocol <protocol>', description: 'syslog push over udp or tcp (udp by default)', needs: ['--new', '--edit'] },
    { flags: '--facility <facility>', description: `syslog facility: ${SYSLOG_FACILITIES.join(', ')} (user by default)`, needs: ['--new', '--edit'] },
    { flags: '--manual', description: 'retrieve manually (no push)', needs: ['--new', '--edit'] },
    { flags: '--max-file-size <bytes>', description: 'roll the file over at this size', number: LOG_FILE_BYTES, needs: ['--new', '--edit'] },
    { flags: '--max-files <n>', description: 'files kept', number: LOG_FILE_COUNT, needs: ['--new', '--edit'] },
    { flags: '--list', description: 'print the subscriptions' },
  ],
  async run(ctx, { flags }) {
    const acted = runFlags(ctx, flags);
    const config = ctx.session.config;
    if (ctx.json || flags.list || (!acted && !ctx.interactive)) {
      const subs = listed(config.pending);
      const pending = config.pending;
      return { data: subs, render: (io) => io.print(renderLogSubscriptions(pending)) };
    }
    if (acted) return;
    await dialog(ctx);
  },
};
