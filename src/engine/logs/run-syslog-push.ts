import type { CommittedConfig } from '../config/committed.js';
import { effectiveLogSubscriptions, type ApplianceConfig } from '../config/model.js';
import type { LineLevel } from './syslog-format.js';
import { SyslogPush, type PushedLine, type SyslogPushOptions } from './syslog-push.js';

/** What the push needs of the appliance's logs: every written line, and system_logs for what it has to say. */
export interface PushSource {
  lines: { on(listener: (line: PushedLine) => void): () => void };
  write(type: 'system_logs', level: LineLevel, text: string): void;
}

/** The syslog push of a running appliance, and the stop that undoes its start. */
export interface RunningSyslogPush {
  push: SyslogPush;
  /** sends what waits while it can (within a second), then closes every connection */
  stop(): Promise<void>;
}

/**
 * Starts the syslog push of a running appliance: fed by every line its log subscriptions write,
 * following the committed subscriptions (a commit of logconfig reconfigures it), and saying in
 * system_logs when a receiver cannot take lines and when it can again.
 */
export function runSyslogPush(logs: PushSource, configuration: Pick<CommittedConfig, 'current' | 'onCommit'>, options: Omit<SyslogPushOptions, 'notice'> = {}): RunningSyslogPush {
  const push = new SyslogPush({ ...options, notice: (level, text) => logs.write('system_logs', level, text) });
  // the writers make a record of each line only while someone listens: only while a subscription pushes
  let offLines: (() => void) | null = null;
  const follow = (config: Readonly<ApplianceConfig>) => {
    push.configure(effectiveLogSubscriptions(config));
    if (push.pushing) offLines ??= logs.lines.on((line) => push.push(line));
    else {
      offLines?.();
      offLines = null;
    }
  };
  follow(configuration.current);
  const offCommit = configuration.onCommit(follow);
  return {
    push,
    async stop() {
      offLines?.();
      offCommit();
      await push.stop();
    },
  };
}
