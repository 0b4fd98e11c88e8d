// auth.purge-expired bounds auth_refresh_tokens (a row per refresh): a token goes once it has
// expired or its session has ended, since presenting it is then refused before reuse is looked at.
// A rotated token that is still valid stays, so presenting it again still revokes its session.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { ManualClock } from 'plinth/plugin';
import type { TestApp } from '../../../test/helpers/app.js';
import { registerOwner } from '../../../test/helpers/actors.js';
import { api, authApp, bearer, claimsOf, login } from './helpers.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const SECOND = 1000;

describe('auth: refresh tokens are bounded (purge-expired)', () => {
  const clock = new ManualClock('2027-05-01T09:00:00.000Z');
  let t: TestApp;
  before(async () => {
    t = await authApp({ clock });
  });
  after(async () => t?.close());

  const refresh = (token: string) => api(t, 'POST', '/auth/refresh', { body: { refresh_token: token } });
  const rows = (sessionId: string) => t.app.db('auth_refresh_tokens').where('session_id', sessionId).orderBy('id').pluck('token_hash');
  const purge = async () => {
    clock.advance(SECOND); // a run per tick: a manual run at the same instant would be taken for the same tick
    assert.equal(await t.app.scheduler.runNow('auth.purge-expired'), 'succeeded');
    const run = await t.app.db('core_job_runs').where('job', 'auth.purge-expired').orderBy('id', 'desc').first('report');
    return JSON.parse(run.report).deleted.auth_refresh_tokens as number;
  };

  it('keeps a live session’s valid tokens, rotated ones too (reuse still revokes the session); drops expired ones and ended sessions’', async () => {
    // A live session whose first two tokens were rotated: three valid rows, two of them used.
    const owner = await registerOwner(t, 'kept');
    const live = claimsOf(owner.session.access_token).sid as string;
    clock.advance(60 * SECOND);
    const second = await refresh(owner.session.refresh_token);
    assert.equal(second.status, 200, second.text);
    clock.advance(60 * SECOND);
    const third = await refresh(second.body.refresh_token);
    assert.equal(third.status, 200, third.text);
    const liveRows = [owner.session.refresh_token, second.body.refresh_token, third.body.refresh_token].map(sha256);

    // A session ended by logout, and a live session whose token is past its idle window.
    const other = await login(t, owner.email, owner.password);
    assert.equal((await api(t, 'POST', '/auth/logout', { headers: bearer(other.access_token), body: {} })).status, 200);
    const idle = await login(t, owner.email, owner.password);
    const idleSession = claimsOf(idle.access_token).sid as string;
    await t.app.db('auth_refresh_tokens').where('token_hash', sha256(idle.refresh_token)).update({ expires_at: clock.now().toISOString() });

    assert.equal(await purge(), 2, 'the logged-out session’s token and the expired one');
    assert.deepEqual(await rows(live), liveRows, 'the live session keeps every valid token, used or not');
    assert.deepEqual(await rows(claimsOf(other.access_token).sid as string), []);
    assert.deepEqual(await rows(idleSession), []);
    assert.equal((await refresh(idle.refresh_token)).status, 401, 'the expired token is refused as before');

    // The first token, rotated two refreshes ago, presented again after the grace window: theft.
    clock.advance(11 * SECOND);
    const reuse = await refresh(owner.session.refresh_token);
    assert.equal(reuse.status, 401, reuse.text);
    const session = await t.app.db('auth_sessions').where('id', live).first();
    assert.equal(session.revoked_reason, 'refresh_token_reuse', 'reuse of a kept rotated token revokes the session');
    assert.equal((await refresh(third.body.refresh_token)).status, 401, 'the newest token of the family is dead too');

    // Now that the session has ended, none of its tokens can matter.
    assert.equal(await purge(), 3);
    assert.deepEqual(await rows(live), []);
    assert.ok(await t.app.db('auth_sessions').where('id', live).first(), 'the session itself stays its week');
  });

  it('a session past its lifetime takes its tokens along, even one whose own expiry is later', async () => {
    const owner = await registerOwner(t, 'lifetime');
    const sid = claimsOf(owner.session.access_token).sid as string;
    // A token never outlives its session now (issuePair caps it), but nothing else must keep it.
    await t.app.db('auth_sessions').where('id', sid).update({ expires_at: clock.now().toISOString() });
    assert.ok((await t.app.db('auth_refresh_tokens').where('session_id', sid).first('expires_at')).expires_at > clock.now().toISOString());
    assert.equal(await purge(), 1);
    assert.deepEqual(await rows(sid), []);
  });
});
