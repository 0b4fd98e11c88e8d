// The licensing plugin's admin page: the licenses list (stats, filters, Generate, Revoke), and one
// license's devices at ?license=LIC-… (a link, so it can be shared and the Back button works).
import { useQueryParam } from 'plinth/plugin/ui';
import { LicenseDevices } from './devices.js';
import { LicensesList } from './licenses.js';

function LicensesPage() {
  const licenseId = useQueryParam('license');
  return licenseId ? <LicenseDevices key={licenseId} licenseId={licenseId} backHref={location.pathname} /> : <LicensesList />;
}

export const pages = { '': LicensesPage };
