import { ErrorCodes } from '../../errors.js';
import { PORT } from '../config/validate.js';
import { API_PORT, SSH_PORT, WEB_PORT, type ApplianceConfig } from '../config/model.js';
import type { SharedSetd } from '../cluster/shared-setd.js';
import type { ConfigEditor } from './config-editor.js';
import { SettingError } from './setting-error.js';

/*
 * The ports of the appliance's own parts beside the listener (Machine level, as the listener's):
 * the web interface's HTTPS port, the AsyncOS API's, the SSH server's, the lab mail server's and
 * the SETD emulator's. A port taken by another
 * part of this appliance is refused here; one another program holds is refused at commit (the
 * running part binds it first, or a stopped appliance tries it).
 */

export type LabPort = 'webPort' | 'apiPort' | 'sshPort' | 'mailServerPort' | 'setdPort';

/** Each part's name, as errors and screens say it. */
export const LAB_PORT_PARTS: Record<LabPort, string> = {
  webPort: 'The web interface',
  apiPort: 'The AsyncOS API',
  sshPort: 'The SSH server',
  mailServerPort: 'The lab mail server',
  setdPort: 'The SETD emulator',
};

/** The port of a part that homes made before it do not name. */
const FALLBACK: Partial<Record<LabPort, number>> = { webPort: WEB_PORT, apiPort: API_PORT, sshPort: SSH_PORT };

/** A part's port in a configuration (its default when the configuration names none). */
export const labPortOf = (config: Readonly<ApplianceConfig>, part: LabPort): number => config.lab[part] ?? FALLBACK[part]!;

/**
 * Sets a lab part's port (0: any free port). Refused: a port out of range, one another part of
 * this appliance uses (the listener or another lab part), and the SETD emulator's port on a
 * member of a lab cluster (it journals to the cluster's one SETD, whose port is the lab's).
 */
export function setLabPort(editor: ConfigEditor, part: LabPort, port: number, shared: SharedSetd | null = null): void {
  const setting = `lab.${part}` as const;
  if (!Number.isInteger(port) || port < PORT.min || port > PORT.max) throw new SettingError(setting, `enter a port from ${PORT.min} to ${PORT.max}`, { value: String(port) });
  if (part === 'setdPort' && shared) {
    throw new SettingError(setting, `this appliance journals to the SETD emulator of its lab cluster (${shared.lab}, port ${shared.port}), not one of its own`, { code: ErrorCodes.conflict });
  }
  const config = editor.session.config.pending;
  if (port !== 0) {
    const others: [string, number][] = [
      [`listener ${config.listener.name}`, config.listener.port],
      ...(Object.keys(LAB_PORT_PARTS) as LabPort[]).filter((p) => p !== part).map((p): [string, number] => [LAB_PORT_PARTS[p].replace(/^The /, 'the '), labPortOf(config, p)]),
    ];
    const taken = others.find(([, p]) => p === port);
    if (taken) throw new SettingError(setting, `port ${port} is ${taken[0]}'s`, { value: String(port), code: ErrorCodes.conflict });
  }
  editor.session.config.edit((c) => void (c.lab[part] = port));
}
