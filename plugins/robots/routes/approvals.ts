import { actingTenant, requireRole } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { RobotsServices } from '../services/index.js';
import { ok } from 'plinth/plugin';
import { awaitingCommandsReply, commandParams, decisionReply } from './schemas.js';
import type { RobotsErrorCode } from '../api.js';

/** Beside the seed, in its style: commands waiting for approval (tenant setting require_approval). */
export function approvalRoutes(r: PluginRouter<RobotsErrorCode>, s: RobotsServices): void {
  // Owners and admins of a tenant: approvals act within it (the core's tenant guard refuses a credential without one).
  const admins = [requireRole('admin')];

  r.get(
    '/api/robot/commands/awaiting-approval',
    {
      errors: { 403: ['tenant_required'] },
      summary: 'Commands waiting for approval',
      guards: admins,
      schema: { responses: { 200: { description: "The tenant's waiting commands, oldest first", schema: awaitingCommandsReply } } },
    },
    async (ctx) => ok({ commands: await s.commands.awaiting((await actingTenant(ctx)).tenantId) }),
  );

  for (const [action, approve] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    r.post(
      `/api/robot/commands/:commandId/${action}`,
      {
        summary: `${approve ? 'Approve' : 'Reject'} a waiting command`,
        guards: admins,
        errors: { 404: ['not_found'], 409: ['not_awaiting_approval'] },
        schema: {
          params: commandParams,
          responses: { 200: { description: approve ? 'Approved: queued (pending)' : 'Rejected: never sent', schema: decisionReply } },
        },
      },
      async (ctx, { params }) => {
        const principal = await actingTenant(ctx);
        const result = await s.commands.decide(principal.tenantId, params.commandId, approve);
        await s.audit().record({
          action: approve ? 'robots.command.approved' : 'robots.command.rejected',
          actor: principal,
          tenantId: principal.tenantId,
          target: { type: 'command', id: params.commandId },
          meta: { ip: ctx.ip, userAgent: ctx.get('User-Agent') },
        });
        return ok({ commandId: params.commandId, status: result.status }, approve ? 'approved' : 'rejected');
      },
    );
  }
}
