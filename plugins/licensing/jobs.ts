import type { PlinthContainer } from 'plinth/plugin';
import type { JobSpec } from 'plinth/plugin';
import type { LicensingSettings } from './config.js';
import { licensingServices } from './services/own.js';

const services = (c: { container: PlinthContainer }) => licensingServices.of(c);

/** Licenses past valid_until marked expired (daily, caught up after downtime). */
export const licensingJobs: JobSpec<LicensingSettings>[] = [
  {
    name: 'expire-licenses',
    schedule: '7 0 * * *',
    catchUp: true,
    async run(c) {
      const expired = await services(c).licenses.expireDue();
      if (expired) c.logger.info({ expired }, 'licenses expired');
    },
  },
];
