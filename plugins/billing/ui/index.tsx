// The billing plugin's admin pages, keyed by the page paths of its manifest (plugins/billing/index.ts).
import { BillingPage } from './billing.js';
import { PlansPage } from './plans-page.js';
import { TenantBillingPage } from './tenant.js';

export const pages = {
  billing: BillingPage,
  plans: PlansPage,
  tenant: TenantBillingPage,
};
