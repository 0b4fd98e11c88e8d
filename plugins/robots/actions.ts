import { type ActionCall, withRefs } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import type { RobotsSettings } from './config.js';
import { checkSendMessage } from './services/commands.js';
import { queuedCommandReply, sendMessageInput } from './routes/schemas.js';
import { robotsServices } from './services/own.js';

interface SendMessageInput {
  robotId: string;
  type: 'text' | 'image' | 'file';
  titleList: string[];
  content?: string;
  atList?: string[];
  fileUrl?: string;
  fileType?: string;
  objectName?: string;
  extraText?: string;
}

/**
 * Actions other plugins (workflows) run in a tenant: `robots.send_message` queues the seed's
 * send_message command for one of the tenant's robots, as POST /workbot/api/robot/send-message
 * does for a tenant admin (no approval wait), pushed over the robot's WebSocket.
 */
export const robotsActions = {
  'robots.send_message': {
    description: 'Queue a message for one of the tenant’s robots to send to chats',
    // One schema with POST /api/robot/send-message's body (closed here, `type` defaulting to text);
    // editors offer the tenant's robots for robotId.
    input: withRefs(sendMessageInput, { robotId: 'robot' }),
    output: queuedCommandReply,
    async run(input: SendMessageInput, call: ActionCall, c: PluginContext<RobotsSettings>) {
      checkSendMessage(input, 'input'); // the seed endpoint's cross-field rules
      const { robotId, ...params } = input;
      const { api } = robotsServices.of(c);
      return api.sendMessage(call.tenantId, robotId, params, { createdBy: call.actor ?? 'action' });
    },
  },
};

/**
 * The tenant's robots a reference (`"x-plinth-ref": "robot"`, e.g. ai.reply's and
 * robots.send_message's robotId) may name: deleted ones are gone, so not offered.
 */
export const robotsRefs = {
  robot: {
    plural: 'robots',
    async list(tenantId: string, c: PluginContext<RobotsSettings>) {
      const rows: Array<{ robot_id: string; name: string }> = await c
        .db('robots_robots')
        .where({ tenant_id: tenantId, status: 'active' })
        .orderBy('name')
        .orderBy('id')
        .limit(500)
        .select('robot_id', 'name');
      return rows.map((r) => ({ id: r.robot_id, name: r.name || r.robot_id, detail: r.robot_id }));
    },
  },
};
