/** What the agents plugin shares: the shape of a tool as listed to an agent. */
export interface AgentToolInfo {
  name: string;
  description: string;
  scope: string;
  readOnly: boolean;
  destructive: boolean;
}

declare module '../../core/container.js' {
  interface Cradle {
    /** agents' own confirmation tokens (its route). */
    agentConfirmations: import('./services/confirmations.js').Confirmations;
  }
}
