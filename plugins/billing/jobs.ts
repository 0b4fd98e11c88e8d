import type { PlinthContainer } from 'plinth/plugin';
import type { JobSpec } from 'plinth/plugin';
import type { BillingSettings } from './config.js';
import { billingServices } from './services/own.js';

/** How long a processed Stripe event's id is remembered (see the prune job). */
const STRIPE_EVENT_DAYS = 90;

const services = (c: { container: PlinthContainer }) => billingServices.of(c);

/** Usage periods closed daily (idempotent, caught up); processed Stripe event ids forgotten after STRIPE_EVENT_DAYS. */
export const billingJobs: JobSpec<BillingSettings>[] = [
  {
    name: 'close-periods',
    schedule: '1 0 * * *',
    catchUp: true,
    async run(c) {
      const result = await services(c).closer.close();
      c.logger.info(result, 'usage periods closed');
    },
  },
  {
    // Stripe retries an event for up to three days; its id is kept far longer so a late retry is
    // still recognised as a duplicate, then forgotten.
    name: 'prune-stripe-events',
    schedule: '43 3 * * *',
    catchUp: true,
    async run(c, info) {
      const before = new Date(info.scheduledFor.getTime() - STRIPE_EVENT_DAYS * 86_400_000).toISOString();
      await c.container.resolve('retention').deleteInBatches('billing_stripe_events', 'id', (q) => q.where('processed_at', '<', before));
    },
  },
];
