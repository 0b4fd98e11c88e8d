// A destructive tool's preview looks its target up: it says what will change (the license, its
// product and devices) or refuses at once, and a confirmation token is issued only for a target that
// exists and is the caller's. And the mail tools take a `localhost` mailbox (a first start's domain).
import assert from 'node:assert/strict';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { registerOwner, type Actor } from '../../../test/helpers/actors.js';
import { createTestApp, type TestApp } from '../../../test/helpers/app.js';

type Result = { isError?: boolean; structuredContent?: any; content: Array<{ type: string; text?: string }> };
const errorOf = (r: Result) => JSON.parse(r.content[0]?.text ?? '{}');

describe('agents: previews that look the target up; localhost mailboxes', () => {
  let t: TestApp;
  let owner: Actor;
  let stranger: Actor;
  let mine: Client;
  let theirs: Client;

  const connect = async (who: Actor, scopes: string[]) => {
    const made = await t.request('POST', '/api/v2/api-keys', { body: { name: `previews-${scopes.join('-')}`, scopes }, headers: who.headers });
    assert.equal(made.status, 201, made.text);
    const client = new Client({ name: 'previews', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), { requestInit: { headers: { 'X-API-Key': made.body.raw_key } } }));
    return client;
  };
  const call = (c: Client, name: string, args: Record<string, unknown>) => c.callTool({ name, arguments: args }) as Promise<Result>;
  const viaTail = (c: Client, name: string, args: Record<string, unknown>) => call(c, 'tool_call', { name, arguments: args });
  const tokens = async (tenantId: string) => Number((await t.app.db('agents_confirmations').where('tenant_id', tenantId).count({ n: '*' }))[0].n);
  const license = async (email: string, devices: string[]) => {
    const made = await call(mine, 'licensing_generate', { plan: 'monthly', email, product: 'desk' });
    assert.notEqual(made.isError, true, JSON.stringify(made));
    const lic = made.structuredContent as { license_id: string; activation_code: string };
    for (const device_id of devices) {
      const bound = await call(mine, 'license_verify', { activation_code: lic.activation_code, email, device_id });
      assert.equal(bound.structuredContent.isValid, true, JSON.stringify(bound));
    }
    return lic;
  };

  before(async () => {
    t = await createTestApp({ plugins: ['auth', 'billing', 'licensing', 'mail', 'agents'], settings: { mail: { domains: [{ name: 'localhost' }] } } });
    owner = await registerOwner(t, 'previews');
    stranger = await registerOwner(t, 'previews-stranger');
    mine = await connect(owner, ['licenses:manage', 'mail:use']);
    theirs = await connect(stranger, ['licenses:manage']);
  });
  after(async () => {
    await mine?.close();
    await theirs?.close();
    await t?.close();
  });

  it('license_revoke: the preview shows the license, its product and devices, and what revoking does; nothing changes', async () => {
    const lic = await license('buyer@example.org', ['laptop-1', 'phone-2']);
    const preview = await viaTail(mine, 'license_revoke', { license_id: lic.license_id, reason: 'refund' });
    assert.notEqual(preview.isError, true, JSON.stringify(preview));
    const shown = preview.structuredContent.preview;
    assert.equal(shown.tool, 'license_revoke');
    assert.equal(shown.wouldDo.license.license_id, lic.license_id);
    assert.equal(shown.wouldDo.license.product, 'desk');
    assert.equal(shown.wouldDo.license.status, 'active');
    assert.deepEqual(shown.wouldDo.license.devices.map((d: { device_id: string; status: string }) => [d.device_id, d.status]).sort(), [
      ['laptop-1', 'active'],
      ['phone-2', 'active'],
    ]);
    assert.match(shown.wouldDo.effect, /becomes revoked; its 2 active device/);
    assert.ok(preview.structuredContent.confirm);
    assert.equal((await t.app.db('licensing_licenses').where('license_id', lic.license_id).first()).status, 'active');
    // dryRun shows the same lookup.
    const dry = await viaTail(mine, 'license_revoke', { license_id: lic.license_id, dryRun: true });
    assert.equal(dry.structuredContent.preview.license.license_id, lic.license_id);
  });

  it('license_revoke of a license that does not exist, or of another tenant’s: refused at once, no token issued', async () => {
    const before = await tokens(owner.tenantId);
    const none = await viaTail(mine, 'license_revoke', { license_id: 'LIC-NOPE0000' });
    assert.equal(none.isError, true, JSON.stringify(none));
    assert.match(errorOf(none).message, /LIC-NOPE0000 not found/);
    assert.equal(errorOf(none).confirm, undefined);
    assert.equal(await tokens(owner.tenantId), before);

    const lic = await license('private@example.org', []);
    const probe = await viaTail(theirs, 'license_revoke', { license_id: lic.license_id });
    assert.equal(probe.isError, true, JSON.stringify(probe));
    assert.equal(errorOf(probe).confirm, undefined);
    assert.equal(await tokens(stranger.tenantId), 0, 'no token for another tenant’s license');
    assert.equal((await t.app.db('licensing_licenses').where('license_id', lic.license_id).first()).status, 'active');
    const outcomes = (
      await t.app.db('auth_audit_logs').where({ action: 'agents.tool_call', tenant_id: stranger.tenantId, target_id: 'license_revoke' }).select('details')
    ).map((r: { details: string }) => JSON.parse(r.details).outcome);
    assert.deepEqual(outcomes, [errorOf(probe).error], 'the refusal is audited');
  });

  it('license_deactivate_device: the preview names license and device; an unbound device or another tenant’s license: refused', async () => {
    const lic = await license('two@example.org', ['tablet-1']);
    const preview = await viaTail(mine, 'license_deactivate_device', { license_id: lic.license_id, device_id: 'tablet-1' });
    assert.notEqual(preview.isError, true, JSON.stringify(preview));
    const shown = preview.structuredContent.preview.wouldDo;
    assert.deepEqual(
      [shown.license.license_id, shown.license.product, shown.device.device_id, shown.device.status],
      [lic.license_id, 'desk', 'tablet-1', 'active'],
    );
    assert.match(shown.effect, /tablet-1 is unbound/);

    const before = await tokens(owner.tenantId);
    const unbound = await viaTail(mine, 'license_deactivate_device', { license_id: lic.license_id, device_id: 'ghost' });
    assert.equal(unbound.isError, true, JSON.stringify(unbound));
    assert.match(errorOf(unbound).message, /ghost is not bound/);
    assert.equal(await tokens(owner.tenantId), before);
    const probe = await viaTail(theirs, 'license_deactivate_device', { license_id: lic.license_id, device_id: 'tablet-1' });
    assert.equal(probe.isError, true, JSON.stringify(probe));
    assert.equal(await tokens(stranger.tenantId), 0);
    const pk = (await t.app.db('licensing_licenses').where('license_id', lic.license_id).first()).id;
    assert.equal((await t.app.db('licensing_devices').where({ license_pk: pk, device_id: 'tablet-1' }).first()).status, 'active');
  });

  it('the token of a preview still works: confirmed, the license is revoked', async () => {
    const lic = await license('done@example.org', ['pc-1']);
    const args = { license_id: lic.license_id };
    const preview = await viaTail(mine, 'license_revoke', args);
    const done = await viaTail(mine, 'license_revoke', { ...args, confirm: preview.structuredContent.confirm });
    assert.notEqual(done.isError, true, JSON.stringify(done));
    assert.equal((await t.app.db('licensing_licenses').where('license_id', lic.license_id).first()).status, 'revoked');
  });

  it('mail_wait_for_code and mail_send take x@localhost mailboxes', async () => {
    const box = await t.request('POST', '/mail/api/create', { headers: owner.headers, body: { local: `agent${process.pid}` } });
    assert.equal(box.status, 200, box.text);
    assert.match(box.body.email, /@localhost$/);
    const waited = await call(mine, 'mail_wait_for_code', { mailbox: box.body.email, timeoutSeconds: 0 });
    assert.notEqual(waited.isError, true, JSON.stringify(waited));
    assert.deepEqual(waited.structuredContent, { code: null, emailId: null, mail: null });
    // Not one of the tenant's mailboxes: not found (not refused by the address rule).
    const other = await call(mine, 'mail_wait_for_code', { mailbox: 'x@localhost', timeoutSeconds: 0 });
    assert.equal(other.isError, true);
    assert.notEqual(errorOf(other).error, 'validation_error', JSON.stringify(errorOf(other)));
    const dry = await viaTail(mine, 'mail_send', { from: box.body.email, to: 'x@localhost', subject: 'hi', dryRun: true });
    assert.notEqual(dry.isError, true, JSON.stringify(dry));
    assert.equal(dry.structuredContent.dryRun, true);
    // mail_send's preview looks the sender up: a mailbox that is not the tenant's is refused, no token.
    const before = await tokens(owner.tenantId);
    const ghost = await viaTail(mine, 'mail_send', { from: 'nobody@localhost', to: 'x@localhost', subject: 'hi', text: 'hi' });
    assert.equal(errorOf(ghost).error, 'mailbox_not_found', JSON.stringify(ghost));
    assert.equal(await tokens(owner.tenantId), before);
    const real = await viaTail(mine, 'mail_send', { from: box.body.email, to: 'x@localhost, y@localhost', subject: 'hi', text: 'hi' });
    assert.deepEqual(real.structuredContent.preview.wouldDo.to, ['x@localhost', 'y@localhost']);
    assert.equal(await tokens(owner.tenantId), before + 1);
    const bad = await call(mine, 'mail_wait_for_code', { mailbox: 'x@', timeoutSeconds: 0 });
    assert.equal(errorOf(bad).error, 'validation_error', 'the rule still refuses what is not an address');
  });
});
