export interface AgentsSettings {
  /** Tool calls a minute per API key, across its tools. */
  callsPerKeyPerMinute: number;
  /** Tool calls a minute per API key and tool: a runaway loop on one tool cannot starve the others. */
  callsPerToolPerMinute: number;
  /** Browser origins (`https://host[:port]`) beside the public URL's that may call /mcp; any other `Origin` is 403. */
  allowedOrigins: string[];
  /**
   * A plain `tools/call` on the current protocol revision is answered without the MCP SDK's
   * per-request pipeline (the same answer, for a fraction of the CPU); false sends every request
   * through the SDK.
   */
  directToolCalls: boolean;
}

export const agentsConfigSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    callsPerKeyPerMinute: { type: 'integer', minimum: 1, maximum: 1_000_000_000, default: 120 },
    callsPerToolPerMinute: { type: 'integer', minimum: 1, maximum: 1_000_000_000, default: 30 },
    allowedOrigins: { type: 'array', maxItems: 100, default: [], items: { type: 'string', pattern: '^https?://[^/?#]+$', maxLength: 300 } },
    directToolCalls: { type: 'boolean', default: true },
  },
};
