// The billing plugin's admin pages, keyed by the page paths of its manifest (plugins/billing/index.ts).
import { addMessages } from 'plinth/plugin/ui';
import en from './messages/en.json' with { type: 'json' };
import zhCN from './messages/zh-CN.json' with { type: 'json' };
import { BillingPage } from './billing.js';
import { PlansPage } from './plans-page.js';
import { TenantBillingPage } from './tenant.js';

addMessages({ en, 'zh-CN': zhCN });

export const pages = {
  billing: BillingPage,
  plans: PlansPage,
  tenant: TenantBillingPage,
};
