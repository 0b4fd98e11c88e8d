import type { UsageReader } from '../../billing/api.js';
import type { LicenseTasks } from '../../licensing/api.js';
import type { MailCodeWaiter } from '../../mail/api.js';
import type { WorkflowRunner } from '../../workflows/api.js';
import { AppError } from 'plinth/plugin';
import { type AgentTool, UNTRUSTED_NOTE, untrusted, untrustedSchema } from './tool-catalogue.js';

// The task tools: what agents ask for most, each through a typed contract its plugin registers in
// the container (never its files). A tool whose plugin is off is simply absent.

type Json = Record<string, unknown>;
const str = { type: 'string' };
const nullable = (schema: Json): Json => ({ anyOf: [schema, { type: 'null' }] });
const hints = { readOnly: false, destructive: false, idempotent: false, openWorld: false, listed: true };

/** `usage_read`: the tenant's plan, limits and usage (billing). */
export function usageTool(reader: UsageReader): AgentTool {
  return {
    ...hints,
    name: 'usage_read',
    plugin: 'billing',
    action: 'usage_read',
    description: "Read the tenant's plan, its limits and the usage counted against them this period",
    scope: 'usage:read',
    readOnly: true,
    idempotent: true,
    inputSchema: { type: 'object', additionalProperties: false, properties: {} },
    outputSchema: {
      type: 'object',
      required: ['plan_id', 'status', 'limits', 'usage'],
      properties: { plan_id: str, status: str, limits: { type: 'object' }, usage: { type: 'object', additionalProperties: { type: 'number' } } },
    },
    run: (tenantId) => reader.view(tenantId),
  };
}

const MAIL = { type: 'object', required: ['from', 'subject', 'preview'], properties: { from: str, subject: str, preview: str } };

/** `mail_wait_for_code`: waits ≤ 30 s on one of the tenant's mailboxes; the code is extracted by the server, never by the agent. */
export function mailCodeTool(codes: MailCodeWaiter): AgentTool {
  return {
    ...hints,
    name: 'mail_wait_for_code',
    plugin: 'mail',
    action: 'mail_wait_for_code',
    description:
      'Wait (at most 30 s) for a verification code to arrive on one of your mailboxes; returns the code the server extracted, ' +
      `the email id to wait after next time, and the mail it came from.${UNTRUSTED_NOTE('mail')} Links in the mail are never followed.`,
    scope: 'mail:use',
    readOnly: true,
    idempotent: true,
    untrusted: 'mail',
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['mailbox'],
      properties: {
        mailbox: { type: 'string', format: 'email', maxLength: 320 },
        since: { type: 'integer', minimum: 0, maximum: 2_147_483_647, description: 'Only mail after this email id (the emailId a previous wait returned)' },
        timeoutSeconds: { type: 'integer', minimum: 0, maximum: 30 },
      },
    },
    outputSchema: {
      type: 'object',
      required: ['code', 'emailId', 'mail'],
      properties: { code: nullable(str), emailId: nullable({ type: 'integer' }), mail: nullable(untrustedSchema('mail', MAIL)) },
    },
    async run(tenantId, args) {
      const got = await codes.waitForCode(tenantId, String(args.mailbox), Number(args.since ?? 0), Number(args.timeoutSeconds ?? 30) * 1000);
      return { code: got.code, emailId: got.emailId, mail: got.mail ? untrusted('mail', got.mail) : null };
    },
  };
}

const licenseRef = { license_id: { type: 'string', minLength: 1, maxLength: 16, description: 'The license id (LIC-…), as generate returned it' } };

/** The license tools (licensing): verify is a task tool; revoke and deactivate are destructive, in the long tail. */
export function licenseTools(tasks: LicenseTasks): AgentTool[] {
  const base = { ...hints, scope: 'licenses:manage', plugin: 'licensing' };
  return [
    {
      ...base,
      name: 'license_verify',
      action: 'license_verify',
      description:
        "Verify an activation code for an email (and a device, which it binds as the license server's verify does) among the tenant's " +
        'licenses; an invalid one answers isValid false with the reason',
      idempotent: true,
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        required: ['activation_code', 'email'],
        properties: {
          activation_code: { type: 'string', minLength: 1, maxLength: 64 },
          email: { type: 'string', minLength: 1, maxLength: 320 },
          device_id: { type: 'string', minLength: 1, maxLength: 200 },
          device_name: { type: 'string', maxLength: 200 },
        },
      },
      outputSchema: {
        type: 'object',
        required: ['isValid', 'code', 'reason', 'message', 'license', 'device'],
        properties: {
          isValid: { type: 'boolean' },
          code: { enum: ['SUCCESS', 'INVALID_LICENSE'] },
          reason: nullable(str),
          message: str,
          license: nullable({ type: 'object', properties: { key: str, type: str, expiresAt: nullable(str) } }),
          device: nullable({ type: 'object', properties: { device_id: str, status: str } }),
        },
      },
      run: (tenantId, a) => tasks.verify(tenantId, a as Parameters<LicenseTasks['verify']>[1]),
    },
    {
      ...base,
      name: 'license_revoke',
      action: 'license_revoke',
      description: 'Revoke one of the tenant’s licenses: it is never valid again and its devices stop verifying',
      destructive: true,
      idempotent: true,
      listed: false,
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        required: ['license_id'],
        properties: { ...licenseRef, reason: { type: 'string', maxLength: 500 } },
      },
      outputSchema: { type: 'object', required: ['license_id', 'status'], properties: { license_id: str, status: str } },
      run: (tenantId, a) => tasks.revoke(tenantId, String(a.license_id), typeof a.reason === 'string' ? a.reason : null),
      // The preview looks the license up (another tenant's or none: refused at once, no token).
      async preview(tenantId, a) {
        const license = await tasks.describe(tenantId, String(a.license_id));
        const active = license.devices.filter((d) => d.status === 'active').length;
        return { license, effect: `${license.license_id} (${license.product}) becomes revoked; its ${active} active device(s) stop verifying` };
      },
    },
    {
      ...base,
      name: 'license_deactivate_device',
      action: 'license_deactivate_device',
      description: 'Deactivate (unbind) a device of one of the tenant’s licenses, freeing its slot; the device stops verifying',
      destructive: true,
      idempotent: true,
      listed: false,
      inputSchema: {
        type: 'object',
        additionalProperties: false,
        required: ['license_id', 'device_id'],
        properties: { ...licenseRef, device_id: { type: 'string', minLength: 1, maxLength: 200 } },
      },
      outputSchema: { type: 'object', required: ['license_id', 'device_id', 'status'], properties: { license_id: str, device_id: str, status: str } },
      run: (tenantId, a) => tasks.deactivateDevice(tenantId, String(a.license_id), String(a.device_id)),
      async preview(tenantId, a) {
        const license = await tasks.describe(tenantId, String(a.license_id));
        const device = license.devices.find((d) => d.device_id === a.device_id);
        if (!device) throw AppError.notFound(`device ${String(a.device_id)} is not bound to ${license.license_id}`);
        return { license, device, effect: `${device.device_id} is unbound from ${license.license_id} (${license.product}) and stops verifying` };
      },
    },
  ];
}

/**
 * `workflow_run` (workflows): a manual run of one of the tenant's workflows. Destructive, since its
 * steps may send or revoke: the preview is the workflow's own dry run (condition, each step's input).
 */
export function workflowRunTool(runner: WorkflowRunner): AgentTool {
  const payloadOf = (a: Json) => (a.payload ?? {}) as Json;
  return {
    ...hints,
    name: 'workflow_run',
    plugin: 'workflows',
    action: 'workflow_run',
    description: 'Start a run of one of the tenant’s workflows now with a payload (its condition must match); returns the run id and status',
    scope: 'workflows:manage',
    destructive: true,
    openWorld: true,
    inputSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['workflow'],
      properties: {
        workflow: { type: 'string', minLength: 1, maxLength: 200, description: 'The workflow’s id, or its name when no other workflow has it' },
        payload: { type: 'object', description: 'The trigger payload the run starts from' },
      },
    },
    outputSchema: {
      type: 'object',
      required: ['workflow', 'run_id', 'status'],
      properties: {
        workflow: { type: 'object', required: ['id', 'name'], properties: { id: str, name: str } },
        run_id: nullable({ type: 'integer' }),
        status: str,
        reason: str,
      },
    },
    run: (tenantId, a) => runner.run(tenantId, String(a.workflow), payloadOf(a)),
    preview: (tenantId, a) => runner.dryRun(tenantId, String(a.workflow), payloadOf(a)),
  };
}
