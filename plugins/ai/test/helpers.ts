// Helpers for the AI tests: a real app (auth + licensing + robots + ai) over real HTTP, a tenant
// owner with an activated robot connected over a real WebSocket, and the calls that set it up.
import assert from 'node:assert/strict';
import type { Clock } from 'plinth/plugin';
import { RobotSocket, bearer, ownerWithRobot, robotsApp, sleep, type Owner, type RobotsApp } from '../../../test/helpers/robots.js';

export { RobotSocket, bearer, sleep, type Owner, type RobotsApp };

export async function aiApp(options: { ai?: Record<string, unknown>; billing?: Record<string, unknown>; clock?: Clock } = {}): Promise<RobotsApp> {
  return robotsApp({
    extraPlugins: options.billing ? ['billing', 'ai'] : ['ai'],
    settings: { ai: { allowPrivateProviders: true, ...(options.ai ?? {}) }, ...(options.billing ? { billing: options.billing } : {}) },
    clock: options.clock,
  });
}

export async function setConsent(t: RobotsApp, owner: Owner, on: boolean): Promise<void> {
  const res = await t.request('PATCH', '/api/v2/tenant/settings', { body: { ai_consent_enabled: on }, headers: owner.headers });
  assert.equal(res.status, 200, res.text);
}

export async function setProvider(t: RobotsApp, owner: Owner, name: string, body: Record<string, unknown>): Promise<void> {
  const res = await t.wb('PUT', `/api/ai/providers/${name}`, { body, headers: owner.headers });
  assert.equal(res.status, 200, res.text);
}

export async function setAi(t: RobotsApp, owner: Owner, robotId: string, ai: Record<string, unknown>): Promise<void> {
  const res = await t.wb('PUT', `/api/robots/${robotId}`, { body: ai, headers: owner.headers });
  assert.equal(res.status, 200, res.text);
}

/** An owner (AI consent on) with a robot connected over the WebSocket. */
export async function connectedRobot(t: RobotsApp, label = 'ai') {
  const { owner, robot } = await ownerWithRobot(t, label);
  await setConsent(t, owner, true);
  const socket = await RobotSocket.open(t, robot.robotId, robot.token);
  const report = (body: Record<string, unknown>) =>
    t.wb('POST', '/api/robot/messages', { body: { robotId: robot.robotId, ...body }, headers: bearer(robot.token) });
  return { owner, robot, socket, report };
}

/** The AI decision for a message, once the outbox has delivered its event. */
export async function decisionOf(t: RobotsApp, messageId: string): Promise<Record<string, any>> {
  for (let i = 0; i < 300; i++) {
    const row = await t.app.db('ai_replies').where('message_id', messageId).first();
    if (row) return row;
    await sleep(20);
  }
  assert.fail(`no AI decision for ${messageId}`);
}
