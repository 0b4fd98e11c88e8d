/**
 * The WorkBot face's administration schemas (seed 004 §6 activation codes, §7 users, §9 system
 * logs): requests and the replies the routes pass to `ok()`, for /openapi.json and checkReplies.
 */
import { arrayOf, body, int, isoTime, nullable, num, reply, str } from 'plinth/plugin';
import { CODE_STATUSES, DEFAULT_VALIDITY_DAYS, MAX_VALIDITY_DAYS } from '../services/codes.js';
import { seedBody } from './schemas.js';

const pageQuery = {
  page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
  pageSize: { type: 'integer', minimum: 1, maximum: 200, default: 20 },
};

/** The admin lists: the seed's `{ total, list }`, and (beside it) the page asked for. */
const pageOf = (item: Record<string, unknown>) => reply({ total: int, page: int, pageSize: int, list: arrayOf(item) });

// 6. Activation codes

/** Seed 6.1's body; `price` and `remark` beside the seed; `validDays`/`userId` are the old names, still accepted. */
const days = { type: 'integer', minimum: 1, maximum: MAX_VALIDITY_DAYS } as const;
export const generateCodesBody = body({
  count: { type: 'integer', minimum: 1, maximum: 500, default: 1 },
  validityPeriod: { ...days, description: `days (default ${DEFAULT_VALIDITY_DAYS}, as the seed's example)` },
  boundUserId: {
    type: ['string', 'integer'],
    minLength: 1,
    maxLength: 64,
    minimum: 0,
    description: "a user of WorkBot's home tenant, by their userId (or UUID); only they can activate the code (default: anyone who has it)",
  },
  price: { type: 'number', minimum: 0, maximum: 1_000_000_000, description: 'in currency units, at most 2 decimals (e.g. 50.00)' },
  remark: { type: 'string', maxLength: 500 },
  validDays: { ...days, deprecated: true, description: 'old name of validityPeriod' },
  userId: { type: 'string', minLength: 1, maxLength: 64, deprecated: true, description: 'old name of boundUserId' },
});

/** Seed 6.2's query. */
export const codeListQuery = {
  type: 'object',
  properties: {
    page: { type: 'integer', minimum: 1, maximum: 100000, default: 1 },
    pageSize: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
    status: { enum: CODE_STATUSES },
  },
};

const code = { type: 'string', pattern: '^[A-Za-z0-9]{8}$' };
export const codeParams = { type: 'object', required: ['code'], properties: { code } };
export const unbindBody = seedBody({ code, reason: { type: 'string', maxLength: 500 }, adminId: {} }, ['code']);

const codeFields = {
  code: str,
  status: { enum: CODE_STATUSES },
  /** Days from creation to expiry; null: never expires. */
  validityPeriod: nullable(int),
  /** Currency units. */
  price: nullable(num),
  createdAt: isoTime,
  /** Beside the seed. */
  validUntil: nullable(isoTime),
};
export const generatedCodesReply = reply({ codes: arrayOf(reply({ ...codeFields, boundUserId: nullable(int) })) });

const nullableText = nullable(str);
export const codeListReply = reply({
  total: int,
  list: arrayOf(
    reply({
      ...codeFields,
      boundUser: nullable(reply({ userId: int, nickname: nullableText, phone: nullableText })),
      /** The device bound now (none after an unbind). */
      deviceInfo: nullable(reply({ deviceId: nullableText, brand: nullableText, model: nullableText })),
      firstActivatedAt: nullable(isoTime),
    }),
  ),
});

export const unbindReply = reply({ deviceId: str, robotId: nullable(str), unboundAt: isoTime });

// 7. Users

export const userListQuery = {
  type: 'object',
  properties: {
    ...pageQuery,
    role: { enum: ['user', 'member', 'admin', 'owner'] },
    status: { enum: ['active', 'suspended'] },
    keyword: { type: 'string', maxLength: 100 },
  },
};
export const userParams = { type: 'object', required: ['userId'], properties: { userId: { type: 'string', minLength: 1, maxLength: 64 } } };

export const userListReply = pageOf(
  reply({
    userId: int,
    nickname: str,
    avatar: nullableText,
    phone: nullableText,
    email: nullableText,
    role: { enum: ['admin', 'user'] },
    /** Beside the seed: the role in their tenant. */
    tenantRole: { enum: ['owner', 'admin', 'member'] },
    status: { enum: ['active', 'suspended'] },
    robotCount: int,
    totalActivationCodes: int,
    createdAt: isoTime,
    lastLoginAt: nullable(isoTime),
  }),
);

// 9. System logs

const LEVELS = ['info', 'warn', 'error'];
export const logListQuery = {
  type: 'object',
  properties: {
    ...pageQuery,
    logType: { type: 'string', maxLength: 32 },
    type: { type: 'string', maxLength: 32 },
    level: { enum: LEVELS },
  },
};

export const logListReply = pageOf(
  reply({
    id: int,
    /** The seed's `api` (a failed request) or `security`. */
    logType: str,
    level: { enum: LEVELS },
    message: str,
    details: nullable({ type: 'object' }),
    ipAddress: nullableText,
    createdAt: isoTime,
  }),
);
