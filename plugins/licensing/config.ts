export interface LicensingSettings {
  /**
   * A PEM file holding the Ed25519 key that signs offline license files (relative paths are under
   * the data dir). Null: the key is made once and kept in the database, shared by every instance.
   */
  keyFile: string | null;
  verifyPerIpPerMinute: number;
  verifyPerCodePerMinute: number;
}

export const licensingConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    keyFile: { type: ['string', 'null'], minLength: 1, default: null },
    verifyPerIpPerMinute: { type: 'integer', minimum: 1, default: 600 },
    verifyPerCodePerMinute: { type: 'integer', minimum: 1, default: 120 },
  },
};
