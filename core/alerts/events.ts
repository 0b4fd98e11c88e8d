import type { EventSpec, PayloadsOf } from '../events/payloads.js';

const alertPayload = {
  type: 'object',
  required: ['id', 'key', 'severity', 'summary', 'details', 'raised_at', 'cleared_at'],
  properties: {
    id: { type: 'integer', description: 'The raising (GET /admin/api/alerts lists them)' },
    key: { type: 'string', description: 'What is wrong: events.dead, jobs.failing:<job>, backup.failed, disk.free, …' },
    severity: { type: 'string', enum: ['warning', 'critical'] },
    summary: { type: 'string', description: 'One line for people' },
    details: { type: 'object', description: 'The figures behind it (counts, thresholds, names)' },
    raised_at: { type: 'string', format: 'date-time' },
    cleared_at: { type: ['string', 'null'], format: 'date-time' },
    host: { type: ['string', 'null'], description: 'For an alert about one instance (its disk, its traffic): its host' },
  },
} as const;

/**
 * The core's own events, in the event catalogue under plugin `core` (core/app.ts adds them), so a
 * workflow of the operator's tenant can forward an alert to a robot chat or a webhook. Each is
 * written in the same transaction as the alert row it reports.
 */
export const alertEvents = {
  'core.alert.raised': {
    version: 1,
    description: "An alert for the operator was raised (once per raising); emitted for the operator's tenant, whose workflows alone see it",
    schema: alertPayload,
  },
  'core.alert.cleared': {
    version: 1,
    description: "An alert for the operator cleared: its condition no longer holds; emitted for the operator's tenant",
    schema: alertPayload,
  },
} as const satisfies Record<string, EventSpec>;

export const ALERT_RAISED = 'core.alert.raised';
export const ALERT_CLEARED = 'core.alert.cleared';

export type AlertEventPayloads = PayloadsOf<typeof alertEvents>;

declare module '../events/payloads.js' {
  interface EventPayloads extends AlertEventPayloads {}
}
