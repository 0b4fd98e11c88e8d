import type { ActionCall } from '../../core/actions.js';
import type { PluginContext } from '../../core/plugins/contract.js';
import type { RobotsSettings } from './config.js';
import { checkSendMessage } from './services/commands.js';

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
    input: {
      type: 'object',
      additionalProperties: false,
      required: ['robotId', 'type', 'titleList'],
      properties: {
        robotId: { type: 'string', minLength: 1, maxLength: 64 },
        type: { enum: ['text', 'image', 'file'], default: 'text' },
        titleList: {
          type: 'array',
          minItems: 1,
          maxItems: 50,
          items: { type: 'string', minLength: 1, maxLength: 200 },
          description: 'Chats (contacts or groups) to send to',
        },
        content: { type: 'string', maxLength: 20000 },
        atList: { type: 'array', maxItems: 50, items: { type: 'string', maxLength: 200 } },
        fileUrl: { type: 'string', format: 'uri', maxLength: 2000 },
        fileType: { type: 'string', maxLength: 40 },
        objectName: { type: 'string', maxLength: 200 },
        extraText: { type: 'string', maxLength: 2000 },
      },
    },
    output: { type: 'object', required: ['commandId', 'status'], properties: { commandId: { type: 'string' }, status: { type: 'string' } } },
    async run(input: SendMessageInput, call: ActionCall, c: PluginContext<RobotsSettings>) {
      checkSendMessage(input, 'input'); // the seed endpoint's cross-field rules
      const { robotId, ...params } = input;
      const { api } = c.container.resolve('robotsServices');
      return api.sendMessage(call.tenantId, robotId, params, { createdBy: call.actor ?? 'action' });
    },
  },
};
