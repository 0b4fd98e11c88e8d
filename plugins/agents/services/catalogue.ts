import type { RegisteredAction } from '../../../core/actions.js';
import type { AgentToolInfo } from '../api.js';

/**
 * The scope an action's tool needs. An action with no entry here is denied: never listed, a call refused
 * (a new action stays invisible to agents until someone decides what it may cost a tenant).
 */
const ACTION_SCOPES: Record<string, { scope: string; destructive: boolean; readOnly: boolean }> = {
  'mail.send': { scope: 'mail:use', destructive: true, readOnly: false },
  'robots.send_message': { scope: 'robots:use', destructive: true, readOnly: false },
  'licensing.generate': { scope: 'licenses:manage', destructive: false, readOnly: false },
};

export interface AgentTool extends AgentToolInfo {
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  /** The action it runs, or a task tool's own function (given the tenant). */
  action: string;
  run?: (tenantId: string, args: Record<string, unknown>) => Promise<unknown>;
}

/** `usage_read`: the tenant's plan, limits and usage (only where a plugin provides usage, i.e. billing). */
export function usageTool(read: (tenantId: string) => Promise<unknown>): AgentTool {
  return {
    name: 'usage_read',
    action: 'usage_read',
    description: "Read the tenant's plan, its limits and the usage counted against them this period",
    scope: 'usage:read',
    readOnly: true,
    destructive: false,
    inputSchema: { type: 'object', additionalProperties: false, properties: {} },
    outputSchema: { type: 'object' },
    run: (tenantId) => read(tenantId),
  };
}

/** MCP tool names allow [A-Za-z0-9_-]: `mail.send` becomes `mail_send`. */
export function toolName(action: string): string {
  return action.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** The tools the action catalogue yields: only mapped actions, each with its scope and hints. */
export function actionTools(actions: RegisteredAction[]): AgentTool[] {
  const tools: AgentTool[] = [];
  for (const a of actions) {
    const mapping = ACTION_SCOPES[a.name];
    if (!mapping) continue;
    tools.push({
      name: toolName(a.name),
      action: a.name,
      description: a.description,
      scope: mapping.scope,
      readOnly: mapping.readOnly,
      destructive: mapping.destructive,
      inputSchema: a.input as Record<string, unknown>,
      outputSchema: a.output as Record<string, unknown>,
    });
  }
  return tools;
}

/** `mail_wait_for_code`: waits ≤ 30 s on one of the tenant's mailboxes; the code is extracted by the server, never by the agent. */
export function mailCodeTool(wait: (tenantId: string, address: string, since: number, timeoutMs: number) => Promise<unknown>): AgentTool {
  return {
    name: 'mail_wait_for_code',
    action: 'mail_wait_for_code',
    description: 'Wait (at most 30 s) for a verification code to arrive on one of your mailboxes; returns the code the server extracted',
    scope: 'mail:use',
    readOnly: true,
    destructive: false,
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['mailbox'],
      properties: {
        mailbox: { type: 'string', format: 'email', maxLength: 320 },
        since: { type: 'integer', minimum: 0, description: 'Only mail after this email id (the emailId a previous wait returned)' },
        timeoutSeconds: { type: 'integer', minimum: 0, maximum: 30 },
      },
    },
    outputSchema: { type: 'object' },
    run: (tenantId, args) => wait(tenantId, String(args.mailbox), Number(args.since ?? 0), Number(args.timeoutSeconds ?? 30) * 1000),
  };
}
