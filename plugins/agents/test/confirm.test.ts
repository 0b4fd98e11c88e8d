// Destructive tools over MCP: a preview and a single-use confirmation token, honoured by another
// instance on the same database; dry runs, rate limits answered as tool errors, and the audit rows.
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';
import { startRelay } from '../../../test/helpers/smtp-relay.js';

type Result = { isError?: boolean; structuredContent?: any; content: Array<{ type: string; text?: string }> };
const body = (r: Result) => JSON.parse(r.content[0]?.text ?? 'null');
type Relay = Awaited<ReturnType<typeof startRelay>>;
// The relay also gets the platform's own notices (the owner's verification mail): count the agent's only.
const agentMail = (r: Relay) => r.received.filter((m) => m.to.some((to) => to.endsWith('@example.org'))).length;

describe('agents: confirmation of destructive tools, across two instances', () => {
  let sink: Relay;
  let a: TestApp;
  let b: TestApp;
  let owner: Actor;
  let key: string;
  let from: string;

  const start = (database?: TestApp['database']) =>
    createTestApp({
      plugins: ['auth', 'mail', 'agents'],
      database,
      settings: { mail: { domains: [{ name: 'mail.test' }] } },
      overrides: { mailer: { smtpUrl: sink.url }, scheduler: { enabled: false } } as never,
    });
  const connect = async (t: TestApp): Promise<Client> => {
    const client = new Client({ name: 'confirm-test', version: '2.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { 'X-API-Key': key } } }));
    return client;
  };
  // mail_send is in the long tail: reached through tool_call, with the same confirmation rules.
  const send = (c: Client, args: Record<string, unknown>) =>
    c.callTool({ name: 'tool_call', arguments: { name: 'mail_send', arguments: args } }) as Promise<Result>;

  before(async () => {
    sink = await startRelay();
    a = await start();
    b = await start(a.database);
    owner = await registerOwner(a, 'confirm');
    const made = await a.request('POST', '/api/v2/api-keys', { body: { name: 'agent', scopes: ['mail:use'] }, headers: owner.headers });
    assert.equal(made.status, 201, made.text);
    key = made.body.raw_key;
    const box = await a.request('POST', '/mail/api/create', { headers: owner.headers, body: { local: `agent${process.pid}`, domainIndex: 0 } });
    assert.equal(box.status, 200, box.text);
    from = box.body.email;
  });
  after(async () => {
    await b?.close();
    await a?.close();
    await sink?.close();
  });

  it('without a token: a preview and a token, nothing sent; the token confirmed on the other instance sends; reuse is refused', async () => {
    const onA = await connect(a);
    const onB = await connect(b);
    const args = { from, to: 'someone@example.org', subject: 'Hello from an agent', text: 'hi' };
    const preview = await send(onA, args);
    assert.notEqual(preview.isError, true, JSON.stringify(preview));
    assert.equal(body(preview).confirmationRequired, true);
    assert.deepEqual(body(preview).preview.wouldDo.from.address, from, 'the preview names the sender mailbox, looked up');
    assert.deepEqual(body(preview).preview.wouldDo.to, ['someone@example.org']);
    assert.equal(agentMail(sink), 0, 'the preview sends nothing');

    const other = await send(onB, { ...args, subject: 'Other arguments', confirm: body(preview).confirm });
    assert.equal(other.isError, true, 'a token is bound to the arguments it was issued for');

    const sent = await send(onB, { ...args, confirm: body(preview).confirm });
    assert.notEqual(sent.isError, true, JSON.stringify(sent));
    assert.equal(body(sent).status, 'sent');
    assert.equal(agentMail(sink), 1);

    const again = await send(onA, { ...args, confirm: body(preview).confirm });
    assert.equal(again.isError, true);
    assert.equal(body(again).error, 'confirmation_invalid');
    assert.equal(agentMail(sink), 1, 'a spent token sends nothing more');
    await onA.close();
    await onB.close();
  });

  it('another tenant’s key cannot send from this tenant’s mailbox, even confirmed', async () => {
    const stranger = await registerOwner(a, 'stranger');
    const made = await a.request('POST', '/api/v2/api-keys', { body: { name: 'other', scopes: ['mail:use'] }, headers: stranger.headers });
    const client = new Client({ name: 'stranger', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${b.url}/mcp`), { requestInit: { headers: { 'X-API-Key': made.body.raw_key } } }));
    const args = { from, to: 'victim@example.org', subject: 'not mine' };
    // The preview looks the sender mailbox up: another tenant's is not found, and no token is issued.
    const preview = await send(client, args);
    assert.equal(preview.isError, true, JSON.stringify(preview));
    assert.equal(body(preview).error, 'mailbox_not_found');
    assert.equal((await a.app.db('agents_confirmations').where('tenant_id', stranger.tenantId)).length, 0);
    const refused = await send(client, { ...args, confirm: 'made-up-token' });
    assert.equal(refused.isError, true, JSON.stringify(refused));
    assert.equal(agentMail(sink), 1, 'nothing sent from another tenant’s mailbox');
    await client.close();
  });

  it('mail_wait_for_code: waits on the tenant’s own mailbox only', async () => {
    const c = await connect(a);
    const own = (await c.callTool({ name: 'mail_wait_for_code', arguments: { mailbox: from, timeoutSeconds: 0 } })) as Result;
    assert.notEqual(own.isError, true, JSON.stringify(own));
    assert.equal(body(own).code, null);
    const stranger = await registerOwner(a, 'boxes');
    const box = await a.request('POST', '/mail/api/create', { headers: stranger.headers, body: { local: `theirs${process.pid}`, domainIndex: 0 } });
    const theirs = (await c.callTool({ name: 'mail_wait_for_code', arguments: { mailbox: box.body.email, timeoutSeconds: 0 } })) as Result;
    assert.equal(theirs.isError, true, 'another tenant’s mailbox is not found');
    await c.close();
  });

  it('dryRun says what would happen and changes nothing', async () => {
    const c = await connect(a);
    const res = await send(c, { from, to: 'x@example.org', subject: 'dry', dryRun: true });
    assert.equal(body(res).dryRun, true);
    assert.equal(agentMail(sink), 1);
    await c.close();
  });

  it('every call is in the audit log with key, client, tool, args digest and outcome', async () => {
    const rows = await a.app.db('auth_audit_logs').where({ action: 'agents.tool_call', tenant_id: owner.tenantId, target_id: 'mail_send' }).select('details');
    const details = rows.map((r: { details: string }) => JSON.parse(r.details));
    const outcomes = details.map((d: { outcome: string }) => d.outcome).sort();
    assert.deepEqual(outcomes, ['confirmation_refused', 'confirmation_refused', 'dry_run', 'ok', 'preview']);
    for (const d of details) {
      assert.equal(d.tool, 'mail_send');
      assert.match(d.args_sha256, /^[0-9a-f]{64}$/);
      assert.ok(d.key_id);
      assert.ok(d.client);
    }
  });

  it('past the per-tool rate limit: a tool error with retry_after', async () => {
    const c = await connect(a);
    let last: Result | null = null;
    for (let i = 0; i < 35 && !last?.isError; i++) last = await send(c, { from, to: 'x@example.org', subject: `n${i}`, dryRun: true });
    assert.equal(last?.isError, true);
    assert.equal(body(last!).error, 'rate_limited');
    assert.ok(body(last!).retry_after >= 1);
    await c.close();
  });
});
