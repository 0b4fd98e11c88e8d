export interface LicensingSettings {
  /** Ed25519 key for offline license files; relative paths are under the data dir. Share it between instances. */
  keyFile: string;
  verifyPerIpPerMinute: number;
  verifyPerCodePerMinute: number;
}

export const licensingConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keyFile: { type: 'string', minLength: 1, default: 'licensing/ed25519.pem' },
    verifyPerIpPerMinute: { type: 'integer', minimum: 1, default: 600 },
    verifyPerCodePerMinute: { type: 'integer', minimum: 1, default: 120 },
  },
};
