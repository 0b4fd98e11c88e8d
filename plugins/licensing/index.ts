import type { PlinthContainer } from 'plinth/plugin';
import { asValue } from 'awilix';
import { definePlugin } from 'plinth/plugin';
import { licensingConfigSchema, type LicensingSettings } from './config.js';
import { licensingEvents } from './events.js';
import { licensingActions } from './actions.js';
import { createLicensingServices } from './services/index.js';
import { licenseTasks } from './services/tasks.js';
import { publicRoutes } from './routes/public.js';
import { adminRoutes, MANAGE } from './routes/admin.js';
import { LICENSE_MESSAGES } from './routes/messages.js';
import { faceLanguage } from 'plinth/plugin';
import { licensingJobs } from './jobs.js';
import { licensingTenantPart } from './tenant-part.js';
import { licensingServices } from './services/own.js';

const services = (c: { container: PlinthContainer }) => licensingServices.of(c);

export default definePlugin<LicensingSettings>({
  name: 'licensing',
  version: '1.0.0',
  description:
    'A license server: activation codes for an email, verify with device binding under a device cap, revoke, devices, statistics, signed offline license files',
  configSchema: licensingConfigSchema,
  face: { base: '/license', envelope: 'success' },
  scopes: { [MANAGE]: 'Generate, list and revoke licenses and manage their devices' },
  features: { licensing: { description: 'Software licenses: activation codes and devices', scopes: ['licenses:*'], metrics: ['max_licenses'] } },
  metrics: { max_licenses: { kind: 'gauge', usageKey: 'licenses', unit: 'licenses', description: 'Active licenses' } },
  events: licensingEvents,
  actions: licensingActions,
  migrations: 'migrations',

  register(c) {
    const s = createLicensingServices(c.container.cradle, c.settings);
    // The engine other plugins (robots) call: generate, look up, bind, unbind, disable.
    // licenseTasks: the face's verify, revoke and deactivate for one tenant (the agents' license tools).
    licensingServices.register(c.container, s);
    c.container.register({ licenses: asValue(s.licenses), licenseTasks: asValue(licenseTasks(s.licenses, s.verifier)) });
  },

  async start(c) {
    const s = services(c);
    await s.files.init();
    await s.verifier.start();
  },

  async stop(c) {
    await services(c).verifier.stop();
  },

  routes(r, c) {
    const s = services(c);
    const clock = c.container.resolve('clock');
    r.use(faceLanguage(LICENSE_MESSAGES)); // first: the seed's wording on every reply
    publicRoutes(r, s, () => clock.now());
    adminRoutes(r, s);
  },

  jobs: licensingJobs,

  ui: { pages: [{ path: '', title: 'Licenses', scopes: [MANAGE] }] },
  tenant: licensingTenantPart,
});
