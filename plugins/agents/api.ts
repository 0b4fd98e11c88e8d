/** What the agents plugin shares: the shape of a tool as listed to an agent. */
export interface AgentToolInfo {
  name: string;
  /** The plugin whose face does the same work (its agent skill lists the tool). */
  plugin: string;
  description: string;
  /** The scope a key needs (the tenant's plan must include its feature, and the `agents` feature). */
  scope: string;
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
  /** Reaches outside the platform (sends mail or chat messages, calls an AI provider). */
  openWorld: boolean;
  /** Listed by `tools/list` (a task tool), or reached through tools_search / tool_describe / tool_call (the long tail). */
  listed: boolean;
  /** The source of outside text the tool returns marked untrusted (`mail`, `ai`), if any. */
  untrusted?: string;
}

/**
 * The codes agents's errors carry beside the core's (core/errors.ts CoreErrorCode): what a client of
 * its face can switch on. test/architecture/error-codes.test.ts keeps this list equal to the codes thrown.
 */
export type AgentsErrorCode =
  | 'confirmation_invalid'
  | 'invalid_token'
  | 'method_not_allowed'
  | 'mfa_enrollment_required'
  | 'origin_not_allowed'
  | 'skill_not_found'
  | 'unknown_tool';
