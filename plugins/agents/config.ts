export interface AgentsSettings {
  /** Tool calls a minute per API key, across its tools. */
  callsPerKeyPerMinute: number;
  /** Tool calls a minute per API key and tool: a runaway loop on one tool cannot starve the others. */
  callsPerToolPerMinute: number;
}

export const agentsConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    callsPerKeyPerMinute: { type: 'integer', minimum: 1, maximum: 1_000_000_000, default: 120 },
    callsPerToolPerMinute: { type: 'integer', minimum: 1, maximum: 1_000_000_000, default: 30 },
  },
};
