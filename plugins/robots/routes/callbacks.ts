import { AppError } from '../../../core/errors.js';
import type { HttpContext } from '../../../core/http/context.js';
import { hasRole } from '../../../core/http/auth.js';
import type { PluginRouter } from '../../../core/http/router.js';
import type { RobotsServices } from '../services/index.js';
import { ok } from '../../../core/http/reply.js';

const HANDLER = { message: 'robots:robots.message.received', result: 'robots:robots.command.completed' } as const;

async function ownRobot(ctx: HttpContext, s: RobotsServices, robotId: string) {
  const principal = await ctx.authenticate();
  if (!principal || principal.kind === 'robot' || !principal.tenantId) throw AppError.unauthorized('a user token is required');
  return s.robots.row({ tenantId: principal.tenantId, userId: principal.id, admin: hasRole(principal, 'admin') }, robotId);
}

const url = { type: ['string', 'null'], maxLength: 2000 } as const;
const robotIdParams = { type: 'object', required: ['robotId'], properties: { robotId: { type: 'string', pattern: '^robot_\\d+_[0-9a-f]+$' } } };

/** The seed's third-party callbacks, plus (beside it) the delivery log and a manual re-send. */
export function callbackRoutes(r: PluginRouter, s: RobotsServices): void {
  r.post(
    '/api/robot/third-party/config',
    {
      summary: 'Configure the message and result callbacks (a partial update: absent fields keep their value, null clears)',
      schema: {
        body: {
          type: 'object',
          required: ['robotId'],
          additionalProperties: false,
          properties: {
            robotId: { type: 'string' },
            messageCallbackUrl: url,
            resultCallbackUrl: url,
            enableSignature: { type: 'boolean' },
            secretKey: { type: ['string', 'null'], minLength: 16, maxLength: 200 },
          },
        },
      },
    },
    async (ctx, { body }) => {
      const robot = await ownRobot(ctx, s, body.robotId);
      await s.callbacks.configure(Number(robot.id), body);
      return ok(null, 'configured');
    },
  );

  r.get(
    '/api/robot/third-party/config/:robotId',
    { summary: 'The callback configuration (never the secret)', schema: { params: robotIdParams } },
    async (ctx, { params }) => {
      const robot = await ownRobot(ctx, s, params.robotId);
      return ok(await s.callbacks.view({ id: Number(robot.id), robot_id: robot.robot_id }));
    },
  );

  r.get(
    '/api/robot/third-party/deliveries/:robotId',
    {
      summary: 'The callback delivery log',
      schema: { params: robotIdParams, query: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } } } },
    },
    async (ctx, { params, query }) => {
      const robot = await ownRobot(ctx, s, params.robotId);
      return ok({ list: await s.callbacks.deliveries(Number(robot.id), query.limit) });
    },
  );

  r.post(
    '/api/robot/third-party/deliveries/resend',
    {
      summary: 'Deliver a logged callback again',
      schema: {
        body: { type: 'object', required: ['robotId', 'deliveryId'], properties: { robotId: { type: 'string' }, deliveryId: { type: 'integer', minimum: 1 } } },
      },
    },
    async (ctx, { body }) => {
      const robot = await ownRobot(ctx, s, body.robotId);
      const delivery = (await s.callbacks.deliveries(Number(robot.id), 1000)).find((d: { id: number }) => Number(d.id) === body.deliveryId);
      if (!delivery) throw AppError.notFound(`delivery ${body.deliveryId} not found for this robot`);
      await s.events().redeliver(Number(delivery.event_id), HANDLER[delivery.kind as 'message' | 'result']);
      return ok(null, 'queued again');
    },
  );
}
