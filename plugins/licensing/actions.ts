import type { ActionCall } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import type { LicensingSettings } from './config.js';
import type { Plan } from './services/licenses.js';
import { licensingServices } from './services/own.js';

interface GenerateInput {
  plan: Exclude<Plan, 'custom'>;
  email?: string;
  device_cap?: number;
  days?: number;
  user_hint?: string;
  product?: string;
}

/**
 * Actions other plugins (workflows) run in a tenant: `licensing.generate` issues a license of the
 * tenant through the engine (`licenses`), as POST /license/api/admin/generate does (metered, and
 * license.generated is emitted).
 */
export const licensingActions = {
  'licensing.generate': {
    description: 'Generate a license (activation code) in the tenant',
    input: {
      type: 'object',
      additionalProperties: false,
      required: ['plan'],
      properties: {
        plan: { enum: ['monthly', 'yearly', 'lifetime'] },
        email: { type: 'string', format: 'email', maxLength: 320 },
        device_cap: { type: 'integer', minimum: 1, maximum: 10000 },
        days: { type: 'integer', minimum: 1, maximum: 36500 },
        user_hint: { type: 'string', maxLength: 500 },
        product: { type: 'string', minLength: 1, maxLength: 40 },
      },
    },
    output: {
      type: 'object',
      required: ['license_id', 'activation_code', 'plan'],
      properties: {
        license_id: { type: 'string' },
        activation_code: { type: 'string' },
        plan: { type: 'string' },
        email: { type: ['string', 'null'] },
        device_cap: { type: 'integer' },
        valid_until: { type: ['string', 'null'] },
      },
    },
    async run(input: GenerateInput, call: ActionCall, c: PluginContext<LicensingSettings>) {
      const license = await licensingServices.of(c).licenses.generate({
        tenantId: call.tenantId,
        plan: input.plan,
        email: input.email,
        deviceCap: input.device_cap,
        days: input.days,
        userHint: input.user_hint,
        product: input.product,
      });
      return {
        license_id: license.license_id,
        activation_code: license.activation_code,
        plan: license.plan,
        email: license.email,
        device_cap: license.device_cap,
        valid_until: license.valid_until,
      };
    },
  },
};
