import { AppError } from '../../../core/errors.js';
import type { Principal } from '../../../core/http/auth.js';
import { requireRole } from '../../../core/http/guards.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { RobotsServices } from '../services/index.js';
import { ok } from '../../../core/http/reply.js';

const commandParams = { type: 'object', required: ['commandId'], properties: { commandId: { type: 'string', pattern: '^cmd_\\d+_[0-9a-f]+$' } } };

/** Beside the seed, in its style: commands waiting for approval (tenant setting require_approval). */
export function approvalRoutes(r: PluginRouter, s: RobotsServices): void {
  const admins = [requireRole('admin')];
  const tenantOf = (p: Principal) => {
    if (!p.tenantId) throw AppError.forbidden('approvals act within a tenant');
    return p.tenantId;
  };

  r.get('/api/robot/commands/awaiting-approval', { summary: 'Commands waiting for approval', guards: admins }, async (ctx) =>
    ok({ commands: await s.commands.awaiting(tenantOf((await ctx.authenticate())!)) }),
  );

  for (const [action, approve] of [
    ['approve', true],
    ['reject', false],
  ] as const) {
    r.post(
      `/api/robot/commands/:commandId/${action}`,
      { summary: `${approve ? 'Approve' : 'Reject'} a waiting command`, guards: admins, schema: { params: commandParams } },
      async (ctx, { params }) => {
        const principal = (await ctx.authenticate())!;
        const result = await s.commands.decide(tenantOf(principal), params.commandId, approve);
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
