// A signup checkout: someone pays before having an account. The completed checkout creates (or
// finds) the account of the email, puts its tenant on the plan and emails a sign-in link.
import assert from 'node:assert/strict';
import { FakeStripe } from '../../../test/helpers/fake-stripe.js';
import { loginAdmin, startBillingApp, subscriptionRow, syncAll, type BillingApp } from './stripe-helpers.js';

describe('billing: Stripe signup checkout', () => {
  let fake: FakeStripe;
  let t: BillingApp;

  before(async () => {
    fake = await FakeStripe.start();
    t = await startBillingApp(fake);
    await syncAll(t, await loginAdmin(t));
  });
  after(async () => {
    await t?.close();
    await fake?.close();
  });

  async function paySignup(email: string) {
    const checkout = await t.api('POST', '/billing/signup-checkout', { body: { email, plan_id: 'pro', billing_cycle: 'yearly' } });
    assert.equal(checkout.status, 200, checkout.text);
    const paid = fake.completeCheckout(checkout.body.session_id);
    const event = fake.event('checkout.session.completed', paid.session);
    const delivery = await fake.deliver(t, event);
    assert.equal(delivery.status, 200, delivery.text);
    return { event, delivery: delivery.body };
  }

  it('a new email gets an account with its own tenant on the paid plan, and a sign-in link', async () => {
    const { delivery } = await paySignup('newcomer@example.org');
    assert.equal(delivery.outcome, 'applied');
    const user = await t.app.db('auth_users').where('email', 'newcomer@example.org').first();
    assert.ok(user, 'the account was created');
    assert.equal(user.role, 'owner');
    assert.equal(user.password_hash, null, 'no password: the user signs in with the emailed link');
    const row = await subscriptionRow(t, user.tenant_id);
    assert.equal(row.plan_id, 'pro');
    assert.equal(row.provider, 'stripe');
    assert.equal(row.billing_cycle, 'yearly');
    let mail;
    for (let i = 0; i < 50 && !mail; i++) {
      mail = await t.app.db('core_mail_outbox').where('to', 'like', '%newcomer@example.org%').where('subject', 'Your sign-in link').first();
      if (!mail) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(mail, 'a magic link was mailed');
  });

  it('an existing account is found, not duplicated; a redelivered event changes nothing', async () => {
    const reg = await t.api('POST', '/auth/register', { body: { email: 'known@example.org', password: 'a-Good-pass-77' } });
    assert.equal(reg.status, 201, reg.text);
    const { event } = await paySignup('known@example.org');
    const users = await t.app.db('auth_users').where('email', 'known@example.org');
    assert.equal(users.length, 1);
    assert.equal((await subscriptionRow(t, users[0].tenant_id)).plan_id, 'pro');
    const again = await fake.deliver(t, event);
    assert.equal(again.status, 200);
    assert.equal(again.body.outcome, 'duplicate');
    assert.equal((await t.app.db('auth_users').where('email', 'known@example.org')).length, 1);
  });
});
