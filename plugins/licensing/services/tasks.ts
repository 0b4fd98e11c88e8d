import { AppError } from 'plinth/plugin';
import type { LicenseTasks, LicenseVerdict } from '../api.js';
import type { Licenses } from './licenses.js';
import type { Verifier } from './verifier.js';

/**
 * What another plugin (the agents' tools) does with one tenant's licenses, as the seed-002 face
 * does it: verify (binding the device, as POST /api/verify), revoke, deactivate a device.
 */
export function licenseTasks(licenses: Licenses, verifier: Verifier): LicenseTasks {
  return {
    async verify(tenantId, input): Promise<LicenseVerdict> {
      try {
        const { license, device } = await verifier.verify(input, { tenantId });
        return {
          isValid: true,
          code: 'SUCCESS',
          reason: null,
          message: 'license verified',
          license: { key: license.license_id, type: license.plan, expiresAt: license.valid_until },
          device: device ? { device_id: device.device_id, status: device.status } : null,
        };
      } catch (err) {
        // The seed answers an invalid license with isValid false: a verdict, not a failure of the call.
        if (!(err instanceof AppError) || err.code !== 'INVALID_LICENSE') throw err;
        const reason = (err.details as { reason?: string } | undefined)?.reason ?? null;
        return { isValid: false, code: 'INVALID_LICENSE', reason, message: err.message, license: null, device: null };
      }
    },
    async revoke(tenantId, licenseId, reason) {
      const license = await licenses.end({ tenantId }, licenseId, 'revoked', reason);
      return { license_id: license.license_id, status: license.status };
    },
    async deactivateDevice(tenantId, licenseId, deviceId) {
      await licenses.setDeviceStatus({ tenantId }, licenseId, deviceId, 'deactivated');
      return { license_id: licenseId, device_id: deviceId, status: 'deactivated' as const };
    },
    async describe(tenantId, licenseId) {
      const license = await licenses.get({ tenantId }, licenseId);
      const devices = (await licenses.devices(license)).map((d) => ({ device_id: d.device_id, device_name: d.device_name, status: d.status }));
      const { product, plan, status, email, valid_until } = license;
      return { license_id: license.license_id, product, plan, status, email, valid_until, devices };
    },
  };
}
