import type { EventSpec } from 'plinth/plugin';

/** The events the robots plugin emits (payloads are versioned JSON Schemas). */
export const robotsEvents = {
  'robots.message.received': {
    version: 1,
    description: 'A robot reported a message it received',
    schema: {
      type: 'object',
      required: ['robot_id', 'message_id', 'spoken', 'conversation'],
      properties: {
        robot_id: { type: 'string' },
        message_id: { type: 'string' },
        spoken: { type: 'string' },
        received_name: { type: ['string', 'null'] },
        group_name: { type: ['string', 'null'] },
        at_me: { type: 'boolean' },
        room_type: { type: ['integer', 'null'] },
        conversation: { type: 'string', description: 'group:<name> or contact:<name>' },
        from_operator: { type: 'boolean', description: 'a human operator sent it from the phone' },
        has_file: { type: 'boolean' },
      },
    },
  },
  'robots.command.completed': {
    version: 1,
    schema: {
      type: 'object',
      required: ['robot_id', 'command_id', 'status'],
      properties: { robot_id: { type: 'string' }, command_id: { type: 'string' }, status: { enum: ['succeeded', 'failed'] }, error_code: { type: 'integer' } },
    },
  },
} as const satisfies Record<string, EventSpec>;
