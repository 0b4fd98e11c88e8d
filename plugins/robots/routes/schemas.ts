/**
 * The WorkBot face's route schemas (seed 004), for the phone app's and the user's routes: the
 * request bodies, queries and params they accept, and the replies they answer, which /openapi.json
 * documents and checkReplies holds them to. Replies are what the routes pass to `ok()`; the face's
 * `{ code: 0, message, data }` is put around them. The admin routes' schemas are in admin-schemas.ts.
 */
import { paginationQuery } from 'plinth/plugin';
import { anyObject, arrayOf, body, bool, int, isoTime, nullable, num, reply, str } from 'plinth/plugin';
import { MIN_SECRET } from '../services/callbacks.js';

// Shared pieces

/** The seed's bodies stay open as they always were: a field they do not list is ignored, not refused. */
export const seedBody = (properties: Record<string, unknown>, required: string[] = []) => body(properties, required, { additionalProperties: true });

/** `data: null`: the seed's answer for a change that returns nothing. */
export const noData = { type: 'null' };

const robotId = { type: 'string', pattern: '^robot_\\d+_[0-9a-f]+$' };
export const robotIdParams = { type: 'object', required: ['robotId'], properties: { robotId } };

/** A day as `YYYY-MM-DD` (UTC). */
export const day = { type: 'string', format: 'date' };

/** The core's page bounds under the seed's names (`page`, `pageSize`). */
export const seedPageQuery = { page: paginationQuery.page, pageSize: paginationQuery.page_size };

/** The seed's list replies: `{ total, list }`. */
export const listOf = (item: Record<string, unknown>) => reply({ total: int, list: arrayOf(item) });

// 1. Users

const phone = { type: 'string', minLength: 5, maxLength: 20 };
export const sendSmsBody = seedBody({ phone }, ['phone']);
export const sendSmsReply = reply({ expiresIn: int });

export const loginBody = seedBody({ phone, code: { type: 'string', minLength: 4, maxLength: 8 } }, ['phone', 'code']);

/** The seed's role: `admin` for WorkBot's administrators (the home tenant's owners and admins, superadmins), else `user`. */
const seedRole = { enum: ['admin', 'user'] };
const userFields = {
  /** The user's number: the integer the seed shows (the platform's UUID stays inside). */
  userId: int,
  nickname: nullable(str),
  avatar: nullable(str),
  phone: nullable(str),
  role: seedRole,
};
export const loginReply = reply({ ...userFields, token: str, refreshToken: str });
export const userInfoReply = reply({ ...userFields, createdAt: isoTime });

// 2. Activation

/** The device as the seed's app describes it: deviceId is required, the rest as the app knows them. */
const deviceInfoBody = {
  type: 'object',
  required: ['deviceId'],
  properties: {
    deviceId: { type: 'string', minLength: 1, maxLength: 200 },
    brand: { type: 'string', maxLength: 200 },
    model: { type: 'string', maxLength: 200 },
    os: { type: 'string', maxLength: 200 },
    osVersion: { type: 'string', maxLength: 200 },
    manufacturer: { type: 'string', maxLength: 200 },
    network: { type: 'string', maxLength: 200 },
    appVersion: { type: 'string', maxLength: 200 },
    totalMemory: { type: 'number', minimum: 0 },
    screenResolution: { type: 'string', maxLength: 200 },
  },
};
export const activateBody = seedBody({ code: { type: 'string', pattern: '^[A-Za-z0-9]{8}$' }, deviceInfo: deviceInfoBody }, ['code', 'deviceInfo']);

const activationFields = { robotId: str, robotUuid: str, token: str, refreshToken: str, expiresAt: isoTime };
/**
 * The seed answers an activation with its own `code` (201 first time, 200 again), not the face's
 * `code: 0`: the route writes the whole body, documented (and checked) as it is.
 */
export const activateReply = (code: 200 | 201) =>
  reply({ code: { const: code }, message: str, data: reply({ ...activationFields, isNewActivation: { const: code === 201 } }) });

export const refreshTokenBody = seedBody({ refreshToken: { type: 'string', minLength: 10, maxLength: 200 } }, ['refreshToken']);
export const refreshTokenReply = reply({ token: str, expiresAt: isoTime });

// 3. Robots

const ROBOT_STATUSES = ['online', 'offline', 'deleted'];

export const robotListQuery = {
  type: 'object',
  properties: {
    page: { type: 'integer', minimum: 1, default: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    status: { enum: ROBOT_STATUSES },
  },
};

/** A robot's AI settings as the seed's create and update bodies give them. */
const aiFields = {
  aiMode: { enum: ['builtin', 'third_party', 'off'] },
  aiProvider: { type: 'string', maxLength: 40 },
  aiModel: { type: 'string', maxLength: 100 },
  aiTemperature: { type: 'number', minimum: 0, maximum: 2 },
  aiMaxTokens: { type: 'integer', minimum: 1, maximum: 32000 },
  aiContextLength: { type: 'integer', minimum: 0, maximum: 100 },
  aiScenario: { type: 'string', maxLength: 200 },
  replyDelayMin: { type: 'integer', minimum: 0, maximum: 3600 },
  replyDelayMax: { type: 'integer', minimum: 0, maximum: 3600 },
  aiCallLimitDaily: { type: 'integer', minimum: 0, maximum: 1000000 },
};
const robotName = { type: 'string', minLength: 1, maxLength: 200 };
export const createRobotBody = body({ name: robotName, ...aiFields }, ['name']);
export const updateRobotBody = body({ name: robotName, ...aiFields }, [], { minProperties: 1 });
export const createRobotReply = reply({ robotId: str, name: str });

const device = { deviceId: nullable(str), brand: nullable(str), model: nullable(str) };

const summaryFields = {
  robotId: str,
  name: str,
  status: { enum: ROBOT_STATUSES },
  aiMode: str,
  aiProvider: nullable(str),
  totalMessages: int,
  aiCallsToday: int,
  lastActiveAt: nullable(isoTime),
  deviceInfo: nullable(reply(device)),
  createdAt: isoTime,
};
/** A robot in a list (seed 004 §3.1). */
export const robotSummary = reply(summaryFields);

export const robotListReply = listOf(robotSummary);

/** One robot (seed 004 §3.2): every field the seed shows is present, null when unset. */
export const robotDetail = reply({
  ...summaryFields,
  robotUuid: str,
  aiMode: aiFields.aiMode,
  aiProvider: nullable(str),
  aiModel: nullable(str),
  aiTemperature: num,
  aiMaxTokens: int,
  aiContextLength: int,
  aiScenario: nullable(str),
  replyDelayMin: int,
  replyDelayMax: int,
  aiCallLimitDaily: int,
  deviceInfo: nullable(reply({ ...device, os: nullable(str), osVersion: nullable(str) })),
  activationInfo: nullable(reply({ code: str, firstActivatedAt: nullable(isoTime), lastActivatedAt: nullable(isoTime) })),
});

// 4. Messages and commands

export const reportMessageBody = seedBody(
  {
    robotId: str,
    spoken: { type: 'string', maxLength: 20000 },
    rawSpoken: { type: 'string', maxLength: 20000 },
    receivedName: { type: 'string', maxLength: 200 },
    groupName: { type: 'string', maxLength: 200 },
    groupRemark: { type: 'string', maxLength: 200 },
    roomType: int,
    atMe: bool,
    textType: int,
    fileBase64: str,
    timestamp: { type: 'string', format: 'date-time' },
    fromOperator: { type: 'boolean', description: 'beside the seed: a human operator sent it from this phone (AI steps back)' },
  },
  ['spoken'],
);
export const reportMessageReply = reply({ messageId: str });

/**
 * The seed's send_message (4.2, 5.3): the body of POST /api/robot/send-message and the input of
 * the `robots.send_message` action. Text needs `content`, image and file a `fileUrl` (checkSendMessage).
 */
export const sendMessageProperties = {
  robotId: { type: 'string', minLength: 1, maxLength: 64 },
  type: { enum: ['text', 'image', 'file'] },
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
};
const sendMessageRequired = ['robotId', 'type', 'titleList'];
export const sendMessageBody = seedBody(sendMessageProperties, sendMessageRequired);
/** The action's input: closed, and `type` defaults to text. */
export const sendMessageInput = body({ ...sendMessageProperties, type: { ...sendMessageProperties.type, default: 'text' } }, sendMessageRequired);
/** A queued command: `pending`, or `awaiting_approval` when the tenant wants a member's commands approved. */
export const queuedCommandReply = reply({ commandId: str, status: { enum: ['pending', 'awaiting_approval'] } });

export const commandsQuery = { type: 'object', properties: { robotId: str } };

const commandFields = { commandId: str, commandType: str, commandParams: anyObject, createdAt: isoTime };
/** A command as the robot receives it (seed 004 §4.3, and the WebSocket push). */
export const commandView = reply(commandFields);
export const openCommandsReply = reply({ commands: arrayOf(commandView) });

export const commandResultBody = seedBody(
  {
    robotId: str,
    commandId: { type: 'string', maxLength: 64 },
    errorCode: int,
    errorReason: { type: 'string', maxLength: 2000 },
    executionTimeMs: { type: 'integer', minimum: 0 },
    successList: arrayOf(str),
    failList: arrayOf(str),
  },
  ['commandId', 'errorCode'],
);

// Beside the seed: approvals

export const commandParams = { type: 'object', required: ['commandId'], properties: { commandId: { type: 'string', pattern: '^cmd_\\d+_[0-9a-f]+$' } } };
export const awaitingCommandsReply = reply({
  commands: arrayOf(reply({ ...commandFields, robotId: str, createdBy: nullable(str) })),
});
export const decisionReply = reply({ commandId: str, status: { enum: ['pending', 'rejected'] } });

// 5. Third-party callbacks

const callbackUrl = { type: ['string', 'null'], maxLength: 2000 };
export const callbackConfigBody = body(
  {
    robotId: str,
    messageCallbackUrl: callbackUrl,
    resultCallbackUrl: callbackUrl,
    enableSignature: bool,
    // The seed's own example ("your-secret-key") is 15 characters: below 16 is advised against, not refused.
    secretKey: { type: ['string', 'null'], minLength: MIN_SECRET, maxLength: 200 },
  },
  ['robotId'],
);
export const callbackConfigReply = reply({
  robotId: str,
  messageCallbackUrl: nullable(str),
  resultCallbackUrl: nullable(str),
  enableSignature: bool,
  isActive: bool,
  /** Beside the seed: the secret itself is write-only. */
  hasSecret: bool,
});

export const deliveriesQuery = { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 } } };
/** One try to deliver a callback, newest first (beside the seed). */
export const deliveriesReply = reply({
  list: arrayOf(
    reply({
      id: int,
      event_id: int,
      kind: { enum: ['message', 'result'] },
      url: str,
      status: { enum: ['delivered', 'failed', 'refused', 'gone'] },
      response_status: nullable(int),
      error: nullable(str),
      created_at: isoTime,
    }),
  ),
});
export const resendBody = seedBody({ robotId: str, deliveryId: { type: 'integer', minimum: 1 } }, ['robotId', 'deliveryId']);

// 8. Statistics

// Dates are checked by the service (400 with the field), not by the schema.
export const rangeQuery = {
  type: 'object',
  properties: {
    startDate: { type: 'string', maxLength: 20 },
    endDate: { type: 'string', maxLength: 20 },
    // Beside the seed (whose days are UTC): the admin page's chart asks for the browser's zone.
    timeZone: { type: 'string', maxLength: 64, description: "The days' time zone (IANA, e.g. Asia/Shanghai), UTC by default" },
  },
};

const range = { startDate: day, endDate: day };
/** Successful AI calls and their cost from the ai plugin's call log; null without that plugin. */
const aiFigures = { totalAICalls: nullable(int), aiCost: nullable(num) };
const commandFigures = { totalCommands: int, succeededCommands: int, failedCommands: int, successRate: num };
const ranked = arrayOf(reply({ name: str, messageCount: int }));

export const robotStatisticsReply = reply({
  robotId: str,
  ...range,
  totalMessages: int,
  ...aiFigures,
  /** Seconds. */
  avgResponseTime: num,
  topContacts: ranked,
  topGroups: ranked,
  messagesByDay: arrayOf(reply({ date: day, messageCount: int })),
  ...commandFigures,
});

export const userStatisticsReply = reply({
  ...range,
  totalRobots: int,
  totalMessages: int,
  ...aiFigures,
  activationCodeCount: int,
  activeRobots: int,
  ...commandFigures,
});

// Beside the seed: a robot's history

const COMMAND_STATUSES = ['pending', 'sent', 'succeeded', 'failed', 'expired', 'awaiting_approval', 'rejected'];

export const messagesQuery = { type: 'object', properties: seedPageQuery };
export const commandLogQuery = { type: 'object', properties: { ...seedPageQuery, status: { enum: COMMAND_STATUSES } } };
export const messageFileParams = {
  type: 'object',
  required: ['robotId', 'messageId'],
  properties: { robotId, messageId: { type: 'string', pattern: '^msg_[0-9]+_[0-9a-f]{8}$' } },
};

export const messageLogReply = listOf(
  reply({
    messageId: str,
    spoken: str,
    receivedName: nullable(str),
    groupName: nullable(str),
    atMe: bool,
    roomType: nullable(int),
    hasFile: bool,
    /** The app's own time for the message, as it reported it. */
    timestamp: nullable(isoTime),
    createdAt: isoTime,
  }),
);

export const commandLogReply = listOf(
  reply({
    ...commandFields,
    status: { enum: COMMAND_STATUSES },
    /** The robot's report (`command-result`), once it came. */
    result: nullable(anyObject),
    createdBy: nullable(str),
    sentAt: nullable(isoTime),
    completedAt: nullable(isoTime),
    expiresAt: isoTime,
  }),
);
