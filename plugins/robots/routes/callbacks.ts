import { AppError } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import type { RobotsServices } from '../services/index.js';
import { ok } from 'plinth/plugin';
import { recommend } from 'plinth/plugin';
import { Callbacks } from '../services/callbacks.js';
import { callbackConfigBody, callbackConfigReply, deliveriesQuery, deliveriesReply, noData, resendBody, robotIdParams } from './schemas.js';
import { userScope } from './robots.js';
import type { RobotsErrorCode } from '../api.js';

const HANDLER = { message: 'robots:robots.message.received', result: 'robots:robots.command.completed' } as const;

/** A robot of the caller's (a user of a tenant, as every user endpoint: robots.ts userScope). */
async function ownRobot(ctx: HttpContext, s: RobotsServices, robotId: string) {
  return s.robots.row(await userScope(ctx), robotId);
}

/** The seed's third-party callbacks, plus (beside it) the delivery log and a manual re-send. */
export function callbackRoutes(r: PluginRouter<RobotsErrorCode>, s: RobotsServices): void {
  r.post(
    '/api/robot/third-party/config',
    {
      errors: { 401: ['unauthorized'], 403: ['tenant_required'], 404: ['not_found'] },
      summary: 'Configure the message and result callbacks (a partial update: absent fields keep their value, null clears)',
      schema: { body: callbackConfigBody, responses: { 200: { description: 'Configured', schema: noData } } },
    },
    async (ctx, { body }) => {
      const robot = await ownRobot(ctx, s, body.robotId);
      await s.callbacks.configure(Number(robot.id), body);
      const advice = Callbacks.secretAdvice(body.secretKey);
      if (advice) recommend(ctx, advice);
      return ok(null, 'configured');
    },
  );

  r.get(
    '/api/robot/third-party/config/:robotId',
    {
      errors: { 404: ['not_found'] },
      summary: 'The callback configuration (never the secret)',
      schema: { params: robotIdParams, responses: { 200: { description: 'The configuration', schema: callbackConfigReply } } },
    },
    async (ctx, { params }) => {
      const robot = await ownRobot(ctx, s, params.robotId);
      return ok(await s.callbacks.view({ id: Number(robot.id), robot_id: robot.robot_id }));
    },
  );

  r.get(
    '/api/robot/third-party/deliveries/:robotId',
    {
      summary: 'The callback delivery log',
      schema: { params: robotIdParams, query: deliveriesQuery, responses: { 200: { description: 'Deliveries, newest first', schema: deliveriesReply } } },
    },
    async (ctx, { params, query }) => {
      const robot = await ownRobot(ctx, s, params.robotId);
      return ok({ list: await s.callbacks.deliveries(Number(robot.id), query.limit) });
    },
  );

  r.post(
    '/api/robot/third-party/deliveries/resend',
    {
      errors: { 404: ['not_found'] },
      summary: 'Deliver a logged callback again',
      schema: { body: resendBody, responses: { 200: { description: 'Queued for delivery again', schema: noData } } },
    },
    async (ctx, { body }) => {
      const robot = await ownRobot(ctx, s, body.robotId);
      const delivery = (await s.callbacks.deliveries(Number(robot.id), 1000)).find((d) => d.id === body.deliveryId);
      if (!delivery) throw AppError.notFound(`delivery ${body.deliveryId} not found for this robot`);
      await s.events().redeliver(Number(delivery.event_id), HANDLER[delivery.kind]);
      return ok(null, 'queued again');
    },
  );
}
