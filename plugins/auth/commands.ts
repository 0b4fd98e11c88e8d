import { ConfigError } from 'plinth/plugin';
import type { Plugin } from 'plinth/plugin';
import type { AuthSettings } from './config.js';
import { authServices } from './services/own.js';

type Commands = NonNullable<Plugin<AuthSettings>['commands']>;

/** `plinth create-admin [--email E] [--password P]`: a superadmin, made or promoted (the password shown once when generated). */
export const authCommands: Commands = {
  'create-admin': {
    description: 'create a superadmin: create-admin [--email E] [--password P] (or PLINTH_ADMIN_EMAIL / PLINTH_ADMIN_PASSWORD)',
    async run(c, args) {
      const flag = (name: string) => {
        const i = args.indexOf(`--${name}`);
        return i >= 0 ? args[i + 1] : undefined;
      };
      const email = flag('email') ?? c.settings.admin.email;
      if (!email) throw new ConfigError('create-admin needs --email or PLINTH_ADMIN_EMAIL');
      const created = await authServices.of(c).bootstrap.createAdmin(email, flag('password') ?? c.settings.admin.password);
      console.log(created.promoted ? `${created.email} is now a superadmin` : `created superadmin ${created.email}`);
      if (created.generatedPassword) console.log(`password (shown once): ${created.generatedPassword}`);
    },
  },
};
