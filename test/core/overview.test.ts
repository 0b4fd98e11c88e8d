// The Overview API (GET /admin/api/overview): with real data made through the faces (tenants
// registered, a plan assigned, mail received over SMTP, robots activated and one online, workflow
// runs, an MCP tool call), a superadmin's cards count every tenant's rows, an owner's and a member's
// only their own tenant's (two tenants, so another tenant's rows would show), a visitor gets 401,
// and a provider that throws is one error card in a 200.
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import nodemailer from 'nodemailer';
import type { OverviewCard, OverviewReply } from '../../core/overview/card.js';
import { type Actor, addUser, registerOwner } from '../helpers/actors.js';
import { assertMessageReads } from '../helpers/card-words.js';
import { hasMessage } from '../../core/ui/kit/i18n.js';
import { openLive } from '../helpers/live.js';
import { waitFor } from '../helpers/processes.js';
import { type Activation, activate, newCodes, type RobotsApp, RobotSocket, robotsApp, superadmin, type Owner } from '../helpers/robots.js';
import { robotsServices } from '../../plugins/robots/services/own.js';
import { utcDay } from '../helpers/utc-day.js';

const DOMAIN = 'overview.test';
const PLUGINS = ['billing', 'mail', 'workflows', 'agents'];

/**
 * Each of a card's words has a message in a catalogue (so the page says it in the viewer's language),
 * and the message's English reads as the reply's English field: an English page says what API clients read.
 */
function assertWordsHaveMessages(card: OverviewCard): void {
  for (const field of ['title', 'unit', 'note', 'seriesLabel', 'error', 'value'] as const) {
    const english = card[field];
    if (typeof english !== 'string' || (field === 'value' && !card.messages?.value)) continue;
    assertMessageReads(english, card.messages?.[field], `${card.id}: its ${field}`);
  }
  for (const item of card.items ?? []) {
    const { label, value } = item.messages ?? {};
    // A limit's label is said by billing's name of the metric ("API keys"), shorter than the manifest's description ("Active API keys").
    if (label) assert.ok(hasMessage(label.id), `${card.id}: an item's label "${item.label}" has a message in a catalogue`);
    if (value) assertMessageReads(String(item.value), value, `${card.id}: an item's value`);
  }
}

/** Reads one viewer's overview, its cards by id; every chart checked against its number, and every word against its message, on the way. */
async function overviewOf(t: RobotsApp, who: { headers: Record<string, string> }): Promise<Map<string, OverviewCard> & { reply: OverviewReply }> {
  const before = utcDay();
  const res = await t.request<OverviewReply>('GET', '/admin/api/overview', { headers: who.headers });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.body.window.days.length, 30);
  assert.ok([before, utcDay()].includes(res.body.window.days.at(-1) ?? ''), 'the window ends today');
  const cards = new Map(res.body.cards.map((c) => [c.id, c])) as Map<string, OverviewCard> & { reply: OverviewReply };
  assert.equal(cards.size, res.body.cards.length, 'card ids are unique');
  for (const card of res.body.cards) {
    assertWordsHaveMessages(card);
    if (!card.series) continue;
    assert.deepEqual(
      card.series.map((p) => p.date),
      res.body.window.days,
      `${card.id}: one point per day of the window`,
    );
    assert.equal(
      card.value,
      card.series.reduce((sum, p) => sum + p.value, 0),
      `${card.id}: the number is the chart's sum`,
    );
  }
  cards.reply = res.body;
  return cards;
}

const card = (cards: Map<string, OverviewCard>, id: string): OverviewCard => {
  const found = cards.get(id);
  assert.ok(found, `a card ${id} among ${[...cards.keys()].join(', ')}`);
  return found;
};
const today = (c: OverviewCard) => c.series?.at(-1)?.value;

describe('the Overview API (GET /admin/api/overview)', function () {
  this.timeout(60_000);
  let t: RobotsApp;
  let admin: Owner;
  let a: Actor;
  let b: Actor;
  let member: Actor;
  let socket: RobotSocket;
  let robotB: Activation;
  let inboxA: string;
  const names: Record<string, string> = {};

  /** Messages to an address over SMTP, each acknowledged with 250. */
  async function mail(to: string, n: number) {
    const smtp = nodemailer.createTransport({ host: '127.0.0.1', port: t.app.container.resolve('smtpPort'), secure: false, ignoreTLS: true });
    for (let i = 0; i < n; i++) {
      const info = await smtp.sendMail({ from: 'sender@outside.test', to, subject: `hello ${i}`, text: `message ${i}` });
      assert.match(info.response, /^250 /);
    }
    smtp.close();
  }
  async function mailbox(owner: Actor, local: string): Promise<string> {
    const res = await t.request('POST', '/mail/api/create', { headers: owner.headers, body: { local, domainIndex: 0 } });
    assert.equal(res.status, 200, res.text);
    return res.body.email;
  }
  /** A manual workflow of one http.request step, run once to its end; returns the run's status. */
  async function runOnce(owner: Actor, url: string): Promise<string> {
    const step = { id: 'call', action: 'http.request', input: { method: 'GET', url }, retry: { attempts: 1 } };
    const wf = await t.request('POST', '/api/v2/workflows', {
      headers: owner.headers,
      body: { name: `call ${url}`, trigger: { type: 'manual' }, steps: [step] },
    });
    assert.equal(wf.status, 201, wf.text);
    const run = await t.request('POST', `/api/v2/workflows/${wf.body.id}/run`, { headers: owner.headers, body: { payload: {} } });
    assert.equal(run.status, 202, run.text);
    const id = run.body.run_id ?? run.body.id;
    return waitFor(`run ${id} to end`, async () => {
      const row = await t.app.db('workflows_runs').where('id', id).first('status');
      return ['succeeded', 'failed'].includes(row?.status) ? (row.status as string) : null;
    });
  }

  before(async () => {
    t = await robotsApp({
      extraPlugins: PLUGINS,
      settings: { mail: { domains: [{ name: DOMAIN }] }, workflows: { pollIntervalMs: 50, http: { allowPrivate: true } } },
    });
    admin = await superadmin(t);
    a = await registerOwner(t, 'ov-a');
    b = await registerOwner(t, 'ov-b');
    member = await addUser(t, a.tenantId, 'member', { label: 'ov-member' });
    for (const who of [a, b]) {
      const res = await t.request('GET', `/api/v2/admin/tenants/${who.tenantId}`, { headers: admin.headers });
      names[who.tenantId] = res.body.name;
    }
    const put = await t.request('PUT', `/api/v2/admin/tenants/${a.tenantId}/subscription`, { headers: admin.headers, body: { plan_id: 'pro' } });
    assert.equal(put.status, 200, put.text);

    inboxA = await mailbox(a, 'ov-a1');
    await mail(inboxA, 3);
    await mailbox(a, 'ov-a2');
    await mail(await mailbox(b, 'ov-b1'), 1);

    // A's robot connects (online); B's is activated only. B's Free plan allows one robot: B is at its limit.
    const [codeA] = await newCodes(t, a);
    const robotA = await activate(t, codeA);
    socket = await RobotSocket.open(t, robotA.robotId, robotA.token);
    const [codeB] = await newCodes(t, b);
    robotB = await activate(t, codeB);

    assert.equal(await runOnce(a, `${t.url}/health`), 'succeeded');
    assert.equal(await runOnce(a, 'http://127.0.0.1:1/nothing-listens-here'), 'failed');

    const key = await t.request('POST', '/api/v2/api-keys', { headers: a.headers, body: { name: 'agent', scopes: ['usage:read'] } });
    assert.equal(key.status, 201, key.text);
    const client = new Client({ name: 'overview-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { 'X-API-Key': key.body.raw_key } } }));
    await client.callTool({ name: 'usage_read', arguments: {} });
    await client.close();
  });
  after(async () => {
    socket?.ws.close();
    await t?.close();
  });

  it("gives a superadmin every tenant's figures, each linked to its page", async () => {
    await waitFor('the robot to be online', async () => (await overviewOf(t, admin)).get('robots.online')?.value === 1);
    const cards = await overviewOf(t, admin);
    assert.equal(cards.reply.scope, 'platform');

    assert.equal(card(cards, 'auth.tenants').value, 3, 'the operator tenant, A and B');
    assert.equal(card(cards, 'auth.tenants').href, '/admin/auth/tenants');
    const signups = card(cards, 'auth.signups');
    assert.equal(signups.value, 4, 'the superadmin, two owners and a member, all made today');
    assert.equal(today(signups), 4);
    assert.match(signups.note ?? '', /^4 accounts in the last 7 days/);

    const plans = card(cards, 'billing.plans');
    assert.equal(plans.value, 1, 'A pays for Pro; B is on Free, the operator on its own plan');
    assert.deepEqual(plans.items?.map((i) => [i.label, i.value]).sort(), [
      ['Free', 1],
      ['Operator', 1],
      ['Pro', 1],
    ]);
    const revenue = card(cards, 'billing.revenue');
    assert.deepEqual([revenue.value, revenue.currency], [2990, 'usd'], "Pro's monthly price, in cents");
    const near = card(cards, 'billing.near_limit');
    assert.equal(near.value, 1);
    assert.equal(near.tone, 'alert', 'B is at a limit, not only near it');
    assert.deepEqual(
      near.items?.map((i) => [i.label, i.href]),
      [[names[b.tenantId], `/admin/billing/tenant?tenant=${b.tenantId}`]],
    );

    assert.equal(card(cards, 'mail.received').value, 4, "A's 3 and B's 1");
    assert.deepEqual(card(cards, 'mail.received').live, ['mail.received'], 'the live event that moves it');
    assert.equal(today(card(cards, 'mail.received')), 4);
    assert.equal(card(cards, 'mail.mailboxes').value, 3);
    assert.equal(card(cards, 'robots.online').note, 'of 2 robots, all tenants');
    assert.deepEqual([card(cards, 'workflows.runs').value, card(cards, 'workflows.failures').value], [2, 1]);
    assert.equal(card(cards, 'workflows.failures').href, '/admin/workflows/runs?status=failed');
    assert.equal(card(cards, 'agents.calls').value, 1);

    assert.equal(card(cards, 'auth.backup').value, 'None yet');
    assert.equal(card(cards, 'auth.backup').href, '/admin/auth/backups');
    assert.equal(typeof card(cards, 'core.outbox').value, 'number');
    for (const c of cards.reply.cards) assert.ok(c.href === undefined || c.href.startsWith('/admin/'), `${c.id} links into the admin UI`);
  });

  it("gives an owner their tenant's figures only, never another tenant's", async () => {
    const mine = await overviewOf(t, a);
    assert.equal(mine.reply.scope, 'tenant');
    assert.deepEqual(
      [...mine.keys()].filter((id) => id.startsWith('auth.') || id.startsWith('core.')),
      [],
      'no platform cards',
    );
    const plan = card(mine, 'billing.plan');
    assert.deepEqual([plan.value, plan.href], ['Pro', '/admin/billing/billing']);
    const robots = plan.items?.find((i) => i.label === 'Robots');
    assert.deepEqual([robots?.value, robots?.tone], ['1 of 3', 'ok']);
    assert.deepEqual(robots?.messages, {
      label: { id: 'billing.metric.max_robots.name', text: 'Robots' },
      value: { id: 'billing.overview.plan.used', values: { used: 1, limit: 3, period: 'now', unit: { id: 'billing.metric.max_robots.unit', text: 'robots' } } },
    });
    assert.equal(card(mine, 'mail.received').value, 3, "B's message is not A's");
    assert.equal(card(mine, 'mail.mailboxes').value, 2);
    assert.deepEqual([card(mine, 'robots.online').value, card(mine, 'robots.online').note], [1, 'of 1 robot']);
    assert.deepEqual([card(mine, 'workflows.runs').value, card(mine, 'workflows.failures').value], [2, 1]);
    assert.equal(card(mine, 'agents.calls').value, 1);

    const theirs = await overviewOf(t, b);
    const free = card(theirs, 'billing.plan');
    assert.deepEqual([free.value, free.tone], ['Free', 'alert'], 'B is at its robot limit');
    assert.deepEqual([free.items?.[0].label, free.items?.[0].value, free.items?.[0].tone], ['Robots', '1 of 1', 'alert'], 'the fullest limit first');
    assert.deepEqual(free.messages?.value, { id: 'billing.seed.free.name', text: 'Free' }, 'a seeded plan keeps its name: said in the viewer’s language');
    assert.equal(card(theirs, 'mail.received').value, 1);
    assert.equal(card(theirs, 'mail.mailboxes').value, 1);
    assert.deepEqual([card(theirs, 'robots.online').value, card(theirs, 'robots.online').note], [0, 'of 1 robot']);
    assert.deepEqual([card(theirs, 'workflows.runs').value, card(theirs, 'workflows.failures').value], [0, 0]);
    assert.equal(card(theirs, 'agents.calls').value, 0);
  });

  it("gives a member what a member's pages show: their own mailboxes and robots, no links to admin pages", async () => {
    const cards = await overviewOf(t, member);
    const plan = card(cards, 'billing.plan');
    assert.equal(plan.value, 'Pro');
    assert.equal(plan.href, undefined, 'Billing is for owners and admins');
    assert.deepEqual([card(cards, 'mail.received').value, card(cards, 'mail.mailboxes').value], [0, 0], "the owner's mailboxes are not the member's");
    assert.deepEqual([card(cards, 'robots.online').value, card(cards, 'robots.online').note], [0, 'of 0 robots']);
    assert.equal(card(cards, 'workflows.runs').value, 2, "the tenant's runs, as the Workflow runs page shows a member");
    assert.equal(cards.has('agents.calls'), false, 'the Agents page is for owners and admins');
  });

  it('asks a visitor to sign in', async () => {
    const res = await t.request('GET', '/admin/api/overview');
    assert.equal(res.status, 401, res.text);
  });

  it('shows a provider that fails as one error card, and every other card', async () => {
    const robots = robotsServices.of(t.app).robots;
    const visible = robots.visible;
    robots.visible = () => {
      throw new Error('the robots table is away');
    };
    try {
      const cards = await overviewOf(t, a);
      const failed = card(cards, 'robots.error');
      assert.equal(failed.tone, 'alert');
      assert.match(failed.error ?? '', /could not be read/);
      assert.doesNotMatch(failed.error ?? '', /table is away/, "the error's text stays in the log");
      assert.equal(cards.has('robots.online'), false);
      assert.equal(card(cards, 'mail.received').value, 3, 'the other cards still show');
    } finally {
      robots.visible = visible;
    }
  });

  it('tells the pages live: the owner hears their mail, the operator that a tenant changed, another tenant nothing of it', async () => {
    const [operator, owner, other] = await Promise.all([openLive(t.url, admin.headers), openLive(t.url, a.headers), openLive(t.url, b.headers)]);
    let socketB: RobotSocket | undefined;
    try {
      await mail(inboxA, 2);
      await owner.next((e) => e.kind === 'mail.received');
      // Other kinds may share the frame (the audit rows the setup wrote); the mail is among them.
      const told = await operator.next((e) => e.kind === 'platform' && ((e.data as { kinds?: string[] }).kinds ?? []).includes('mail.received'));
      assert.deepEqual(Object.keys(told.data), ['kinds'], 'the operator hears what kind changed, not the event itself');
      // B's own robot comes online: once B hears that, anything of A's published before it would be there too.
      socketB = await RobotSocket.open(t, robotB.robotId, robotB.token);
      await other.next((e) => e.kind === 'robot.presence');
      // B's own setup wrote audit rows too: a burst is told at once and its tail up to a second later
      // (core/live.ts), so B may hear its own `audit.written` after its stream opened. A's mail, never.
      const heard = other.events.map((e) => e.kind);
      assert.ok(heard.includes('robot.presence'), heard.join());
      assert.deepEqual(
        heard.filter((kind) => kind !== 'robot.presence' && kind !== 'audit.written'),
        [],
        "B's stream carries only B's things",
      );
    } finally {
      socketB?.ws.close();
      for (const s of [operator, owner, other]) s.close();
    }
  });
});
