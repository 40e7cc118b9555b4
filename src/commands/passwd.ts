import { ErrorCodes, UserError } from '../errors.js';
import type { CommandSpec } from './types.js';

export const passwdCommand: CommandSpec = {
  name: 'passwd',
  summary: 'Change the password of the admin account (the web interface login).',
  help: [
    'passwd [--password NEW]',
    '',
    'Sets the password of the lab administrator, admin, who logs in to the web interface. The home',
    'keeps it salted and hashed (scrypt), never in clear. It takes effect at once (no commit). In the',
    'shell it asks twice; typed answers are shown, as everything else in this lab terminal. The first',
    'start of an appliance makes a random password and shows it once. Example:',
    '  segsim passwd --password "a lab passphrase"',
  ].join('\n'),
  flags: [{ flags: '--password <new>', description: 'the new password (at least 8 characters)' }],
  async run(ctx, { flags }) {
    // node:crypto loads only here: other one-shot commands do not pay for it
    const { passwordProblem, setAdminPassword } = await import('../engine/admin-account.js');
    let password: string;
    if (flags.password !== undefined) password = String(flags.password);
    else if (!ctx.interactive) throw new UserError('passwd needs --password when it cannot ask.', ErrorCodes.usage);
    else {
      password = await ctx.io.text('Enter the new password for admin:', { check: passwordProblem });
      const again = await ctx.io.text('Please enter the new password again:');
      if (again !== password) throw new UserError('The passwords do not match. The password was not changed.', ErrorCodes.invalidValue);
    }
    await setAdminPassword(ctx.appliance.paths, password);
    ctx.io.print('Password changed for admin. Browsers already logged in stay logged in.');
  },
};
