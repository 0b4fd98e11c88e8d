// The licensing plugin's admin page: the licenses list (stats, filters, Generate, Revoke), and one
// license's devices at ?license=LIC-… (a link, so it can be shared and the Back button works).
import { addMessages, useQueryParam } from 'plinth/plugin/ui';
import en from './messages/en.json' with { type: 'json' };
import zhCN from './messages/zh-CN.json' with { type: 'json' };
import { LicenseDevices } from './devices.js';
import { LicensesList } from './licenses.js';

addMessages({ en, 'zh-CN': zhCN });

function LicensesPage() {
  const licenseId = useQueryParam('license');
  return licenseId ? <LicenseDevices key={licenseId} licenseId={licenseId} backHref={location.pathname} /> : <LicensesList />;
}

export const pages = { '': LicensesPage };
