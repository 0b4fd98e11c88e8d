import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { ManualClock } from 'plinth/plugin';
import { addUser, registerOwner } from '../../../test/helpers/actors.js';
import {
  ADMIN,
  activate,
  bearer,
  device,
  homeAdmin,
  homeTenantId,
  newCodes,
  robotsApp,
  robotsAppWithHome,
  superadmin,
  type Owner,
  type RobotsApp,
  userNumber,
} from '../../../test/helpers/robots.js';
import { authServices } from '../../auth/services/own.js';

// Seed 004 section 6: POST and GET /api/admin/activation-codes, field by field. Times come from a
// manual clock, so every field of every row is asserted exactly. Codes are WorkBot's home tenant's
// (the operator tenant here), made by its admins; a fresh app per test keeps the lists exact.

const START = '2026-03-01T08:00:00.000Z';
const DAY = 86_400_000;
const at = (ms: number) => new Date(Date.parse(START) + ms).toISOString();

const CODE_FIELDS = ['boundUserId', 'code', 'createdAt', 'price', 'status', 'validUntil', 'validityPeriod'];
const ROW_FIELDS = ['boundUser', 'code', 'createdAt', 'deviceInfo', 'firstActivatedAt', 'price', 'status', 'validUntil', 'validityPeriod'];

function assertError(res: { status: number; body: any; text: string }, status: number): void {
  assert.equal(res.status, status, res.text);
  assert.deepEqual(Object.keys(res.body).sort(), ['code', 'data', 'message'], res.text);
  assert.equal(res.body.code, status, res.text);
  assert.equal(typeof res.body.message, 'string');
}

/** A user of the tenant with a phone (and a name, or none), through the auth services. */
async function phoneUser(t: RobotsApp, tenantId: string, fullName: string): Promise<{ id: string; phone: string; number: number }> {
  const phone = `+86139${String(randomBytes(4).readUInt32BE() % 100_000_000).padStart(8, '0')}`;
  const user = await authServices.of(t.app).users.create(t.app.db, { tenantId, phone, role: 'member', fullName });
  return { id: user.id, phone, number: await userNumber(t, user.id) };
}

describe('robots: activation codes (seed 6.1 generate, 6.2 list)', () => {
  const clock = new ManualClock(START);
  let t: RobotsApp;
  const generate = (owner: Owner, body: unknown) => t.wb('POST', '/api/admin/activation-codes', { body, headers: owner.headers });
  const list = (owner: Owner, query = '') => t.wb('GET', `/api/admin/activation-codes${query}`, { headers: owner.headers });
  const codesOf = async (owner: Owner, body: Record<string, unknown>) => {
    const res = await generate(owner, body);
    assert.equal(res.status, 200, res.text);
    return (res.body.data.codes as Array<{ code: string }>).map((c) => c.code);
  };

  beforeEach(async () => {
    clock.set(START);
    t = await robotsApp({ clock });
  });
  afterEach(async () => t?.close());

  describe('POST /api/admin/activation-codes', () => {
    it('takes the seed’s body and answers the seed’s fields: unused, validityPeriod, price in currency units', async () => {
      const owner = await homeAdmin(t, 'gen');
      const member = await addUser(t, owner.tenantId, 'member', { label: 'bound' });
      clock.set(at(1000));
      const res = await generate(owner, { count: 2, validityPeriod: 30, boundUserId: member.id, price: 50.0, remark: 'first batch' });
      const number = await userNumber(t, member.id);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.code, 0);
      assert.equal(res.body.message, '生成成功');
      assert.deepEqual(Object.keys(res.body.data), ['codes']);
      const codes = res.body.data.codes;
      assert.equal(codes.length, 2);
      assert.notEqual(codes[0].code, codes[1].code);
      for (const c of codes) {
        assert.deepEqual(Object.keys(c).sort(), CODE_FIELDS);
        assert.match(c.code, /^[A-Z0-9]{8}$/);
        assert.deepEqual(
          { ...c, code: 'X' },
          { code: 'X', status: 'unused', validityPeriod: 30, price: 50, createdAt: at(1000), validUntil: at(1000 + 30 * DAY), boundUserId: number },
        );
      }
      // The engine keeps minor units, the remark as the license's user hint.
      const row = await t.app.db('licensing_licenses').where('activation_code', codes[0].code).first();
      assert.equal(Number(row.price), 5000);
      assert.equal(row.user_hint, 'first batch');
      assert.equal(row.bound_user_id, member.id);

      const cents = await generate(owner, { validityPeriod: 7, price: 19.99 });
      assert.equal(cents.status, 200, cents.text);
      assert.deepEqual(
        cents.body.data.codes.map((c: Record<string, unknown>) => ({ price: c.price, validityPeriod: c.validityPeriod })),
        [{ price: 19.99, validityPeriod: 7 }],
      );
      assert.equal(Number((await t.app.db('licensing_licenses').where('activation_code', cents.body.data.codes[0].code).first()).price), 1999);
    });

    it('defaults: one code, 30 days at 50.00, bound to no one; boundUserId a number, its digits or a UUID; the old names work', async () => {
      const owner = await homeAdmin(t, 'defaults');
      clock.set(at(2000));
      const res = await generate(owner, {});
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(
        { ...res.body.data.codes[0], code: 'X' },
        { code: 'X', status: 'unused', validityPeriod: 30, price: 50, createdAt: at(2000), validUntil: at(2000 + 30 * DAY), boundUserId: null },
      );
      const longest = await generate(owner, { validityPeriod: 3650 });
      assert.equal(longest.body.data.codes[0].validityPeriod, 3650, 'ten years at most'); // not a hundred

      const member = await addUser(t, owner.tenantId, 'member', { label: 'aliased' });
      const old = await generate(owner, { validDays: 10, userId: member.id });
      assert.equal(old.status, 200, old.text);
      const { validityPeriod, boundUserId, price } = old.body.data.codes[0];
      assert.deepEqual([validityPeriod, boundUserId, price], [10, await userNumber(t, member.id), null], 'no price is set for 10 days');
      // The seed's names win over the old ones.
      const both = await generate(owner, { validityPeriod: 3, validDays: 10, boundUserId: owner.id, userId: member.id });
      assert.deepEqual([both.body.data.codes[0].validityPeriod, both.body.data.codes[0].boundUserId], [3, await userNumber(t, owner.id)]);
      assert.equal((await generate(owner, { boundUserId: '1' })).body.data.codes[0].boundUserId, 1); // the seed's number, as digits: user 1
    });

    it('boundUserId of another tenant’s user (or of nobody): 404 in the envelope, nothing generated', async () => {
      const owner = await homeAdmin(t, 'mine');
      const stranger = await registerOwner(t, 'stranger');
      const before = await t.app.db('licensing_licenses').count({ n: '*' });
      for (const boundUserId of [stranger.id, 'no-such-user', 999_999]) {
        const res = await generate(owner, { count: 3, boundUserId });
        assertError(res, 404);
        assert.equal(res.body.data, null);
      }
      assert.deepEqual(await t.app.db('licensing_licenses').count({ n: '*' }), before);
    });

    it('an invalid body: 400 with data.fields naming each field', async () => {
      const owner = await homeAdmin(t, 'invalid');
      const cases: Array<[unknown, string]> = [
        [{ validityPeriod: 3651 }, 'body.validityPeriod'],
        [{ validDays: 36500 }, 'body.validDays'],
        [{ count: 0 }, 'body.count'],
        [{ count: 501 }, 'body.count'],
        [{ count: 1.5 }, 'body.count'],
        [{ validityPeriod: 0 }, 'body.validityPeriod'],
        [{ validityPeriod: '30' }, 'body.validityPeriod'],
        [{ price: -1 }, 'body.price'],
        [{ price: '50.00' }, 'body.price'],
        [{ price: 1.234 }, 'body.price'],
        [{ boundUserId: '' }, 'body.boundUserId'],
        [{ boundUserId: true }, 'body.boundUserId'],
        [{ remark: 'x'.repeat(501) }, 'body.remark'],
        [{ status: 'unused' }, 'body.status'],
      ];
      for (const [body, path] of cases) {
        const res = await generate(owner, body);
        assertError(res, 400);
        assert.ok(
          res.body.data.fields.some((f: { path: string }) => f.path === path),
          `${JSON.stringify(body)}: ${res.text}`,
        );
      }
      const two = await generate(owner, { count: 0, price: -5 });
      assert.deepEqual(two.body.data.fields.map((f: { path: string }) => f.path).sort(), ['body.count', 'body.price']);
      assert.equal((await list(owner)).body.data.total, 0, 'nothing was generated');
    });

    it('a member of the home tenant: 403', async () => {
      const member = await addUser(t, await homeTenantId(t), 'member', { label: 'plain' });
      assertError(await generate(member, { count: 1 }), 403);
      assertError(await list(member), 403);
      assertError(await list(member, '?status=unused'), 403);
    });
  });

  describe('GET /api/admin/activation-codes', () => {
    it('a code’s life: unused → used (device, first activation, bound user) → unbound → disabled', async () => {
      const owner = await homeAdmin(t, 'life');
      const zhang = await phoneUser(t, owner.tenantId, 'Zhang San');
      const anon = await phoneUser(t, owner.tenantId, '');
      clock.set(at(10_000));
      const [code] = await codesOf(owner, { validityPeriod: 30, boundUserId: zhang.id, price: 50 });
      const [other] = await codesOf(owner, { validityPeriod: 90, boundUserId: anon.id });
      const [mine] = await codesOf(owner, {});

      const res = await list(owner);
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(Object.keys(res.body), ['code', 'message', 'data']);
      assert.equal(res.body.code, 0);
      assert.equal(res.body.message, 'success');
      assert.deepEqual(Object.keys(res.body.data), ['total', 'list']);
      for (const row of res.body.data.list) assert.deepEqual(Object.keys(row).sort(), ROW_FIELDS);
      const unused = { status: 'unused', deviceInfo: null, firstActivatedAt: null, createdAt: at(10_000) };
      assert.deepEqual(res.body.data, {
        total: 3,
        list: [
          { code: mine, validityPeriod: 30, price: 50, boundUser: null, validUntil: at(10_000 + 30 * DAY), ...unused },
          {
            code: other,
            validityPeriod: 90,
            price: null,
            boundUser: { userId: anon.number, nickname: anon.phone, phone: anon.phone },
            validUntil: at(10_000 + 90 * DAY),
            ...unused,
          },
          {
            code,
            validityPeriod: 30,
            price: 50,
            boundUser: { userId: zhang.number, nickname: 'Zhang San', phone: zhang.phone },
            validUntil: at(10_000 + 30 * DAY),
            ...unused,
          },
        ],
      });

      clock.set(at(20_000));
      const phone = device('9774d56d682e549c');
      const robot = await activate(t, code, phone);
      const used = {
        code,
        status: 'used',
        validityPeriod: 30,
        price: 50,
        boundUser: { userId: zhang.number, nickname: 'Zhang San', phone: zhang.phone },
        deviceInfo: { deviceId: '9774d56d682e549c', brand: 'Xiaomi', model: 'Mi 10' },
        firstActivatedAt: at(20_000),
        validUntil: at(10_000 + 30 * DAY),
        createdAt: at(10_000),
      };
      const rowOf = async (c: string) => (await list(owner)).body.data.list.find((r: { code: string }) => r.code === c);
      assert.deepEqual(await rowOf(code), used);
      assert.equal((await rowOf(other)).status, 'unused');

      // Unbound: the device is gone, the code stays used (its robot comes back on the next phone).
      clock.set(at(30_000));
      const unbound = await t.wb('POST', '/api/admin/unbind-device', { body: { code }, headers: owner.headers });
      assert.equal(unbound.status, 200, unbound.text);
      assert.deepEqual(await rowOf(code), { ...used, deviceInfo: null });
      // A new phone: its device, the first activation unchanged.
      await activate(t, code, { ...device('new-phone-1'), brand: 'Huawei', model: 'P60' });
      assert.deepEqual(await rowOf(code), { ...used, deviceInfo: { deviceId: 'new-phone-1', brand: 'Huawei', model: 'P60' } });

      const disabled = await t.wb('POST', `/api/admin/activation-codes/${code}/disable`, { headers: owner.headers });
      assert.equal(disabled.status, 200, disabled.text);
      assert.equal((await rowOf(code)).status, 'disabled');
      assert.equal((await t.wb('POST', `/api/admin/activation-codes/${other}/disable`, { headers: owner.headers })).status, 200);
      assert.deepEqual(await rowOf(other), {
        code: other,
        validityPeriod: 90,
        price: null,
        boundUser: { userId: anon.number, nickname: anon.phone, phone: anon.phone },
        validUntil: at(10_000 + 90 * DAY),
        ...unused,
        status: 'disabled',
      });
      assert.equal((await t.wb('GET', '/api/robot/commands', { headers: bearer(robot.token) })).status, 401, 'the disabled code’s robot is signed out');
    });

    it('the status filter and paging: total and list sizes exact, newest first', async () => {
      const owner = await homeAdmin(t, 'pages');
      const made: string[] = [];
      for (let i = 0; i < 5; i++) {
        clock.set(at(40_000 + i * 1000));
        made.push(...(await codesOf(owner, { count: 5 })));
      }
      const newest = made.slice().reverse(); // one call's codes share a time: the id decides
      const page = async (query: string) => {
        const res = await list(owner, query);
        assert.equal(res.status, 200, res.text);
        return { total: res.body.data.total as number, codes: res.body.data.list.map((r: { code: string }) => r.code) as string[] };
      };
      assert.deepEqual(await page(''), { total: 25, codes: newest.slice(0, 20) });
      assert.deepEqual(await page('?page=2'), { total: 25, codes: newest.slice(20) });
      assert.deepEqual(await page('?page=3&pageSize=10'), { total: 25, codes: newest.slice(20) });
      assert.deepEqual(await page('?page=2&pageSize=10'), { total: 25, codes: newest.slice(10, 20) });
      assert.deepEqual(await page('?page=4&pageSize=10'), { total: 25, codes: [] });
      assert.deepEqual(await page('?pageSize=100'), { total: 25, codes: newest });

      await activate(t, made[0]);
      await activate(t, made[7]);
      for (const c of [made[1], made[2], made[7]])
        assert.equal((await t.wb('POST', `/api/admin/activation-codes/${c}/disable`, { headers: owner.headers })).status, 200);
      const unusedCodes = newest.filter((c) => ![made[0], made[1], made[2], made[7]].includes(c));
      assert.deepEqual(await page('?status=used'), { total: 1, codes: [made[0]] });
      assert.deepEqual(await page('?status=disabled'), { total: 3, codes: [made[7], made[2], made[1]] });
      assert.deepEqual(await page('?status=unused'), { total: 21, codes: unusedCodes.slice(0, 20) });
      assert.deepEqual(await page('?status=unused&page=2'), { total: 21, codes: unusedCodes.slice(20) });
      assert.deepEqual(await page('?status=unused&pageSize=7&page=3'), { total: 21, codes: unusedCodes.slice(14, 21) });
      assert.deepEqual(await page('?status=expired'), { total: 0, codes: [] });

      // Filtered in SQL across both plugins' rows: unbound, the code stays used (its robot exists).
      assert.equal((await t.wb('POST', '/api/admin/unbind-device', { body: { code: made[0] }, headers: owner.headers })).status, 200);
      assert.deepEqual(await page('?status=used'), { total: 1, codes: [made[0]] });
      assert.deepEqual((await page('?status=unused&pageSize=100')).total, 21);

      for (const query of ['?page=0', '?pageSize=0', '?pageSize=101', '?status=active', '?status=revoked', '?page=x']) {
        const res = await list(owner, query);
        assertError(res, 400);
        assert.ok(res.body.data.fields.length > 0, res.text);
      }
    });

    it('tenant isolation: a home admin sees only the home tenant’s codes, a customer none; a superadmin sees every tenant’s', async () => {
      const admin = await homeAdmin(t, 'home');
      const homeCodes = await codesOf(admin, { count: 3 });
      await activate(t, homeCodes[0]);
      // Codes the operator issued into a customer's tenant (through the service).
      const b = await registerOwner(t, 'tenant-b');
      const [bCode] = await newCodes(t, b);
      for (const query of ['', '?status=unused', '?status=used', '?pageSize=100']) {
        const res = await list(admin, query);
        assert.equal(res.status, 200, res.text);
        assert.deepEqual(
          res.body.data.list.map((r: { code: string }) => r.code).sort(),
          (query === '?status=used' ? [homeCodes[0]] : query === '?status=unused' ? homeCodes.slice(1) : homeCodes).slice().sort(),
        );
      }
      assertError(await list(b), 403);
      // The home admin cannot bind codes to a customer's users either.
      assertError(await generate(admin, { boundUserId: b.id }), 404);

      const root = await t.wb('GET', '/api/admin/activation-codes?pageSize=100', { headers: (await superadmin(t)).headers });
      assert.equal(root.status, 200, root.text);
      const seen = root.body.data.list.map((r: { code: string }) => r.code);
      for (const c of [...homeCodes, bCode]) assert.ok(seen.includes(c), c);
    });
  });
});

describe('robots: expired activation codes', () => {
  const clock = new ManualClock(START);
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp({ clock });
  });
  after(async () => t?.close());

  it('expired by the engine’s job, or past valid_until before the job ran: both listed expired', async () => {
    const owner = await homeAdmin(t, 'expiry');
    const make = async (validityPeriod: number) => {
      const res = await t.wb('POST', '/api/admin/activation-codes', { body: { validityPeriod }, headers: owner.headers });
      assert.equal(res.status, 200, res.text);
      return res.body.data.codes[0].code as string;
    };
    const [one, two, thirty] = [await make(1), await make(2), await make(30)];
    await activate(t, two);
    // The daily job at one day and a second: only `one` is expired by the engine.
    assert.equal(await t.app.container.resolve<{ expireDue(now: Date): Promise<number> }>('licenses').expireDue(new Date(at(DAY + 1000))), 1);
    clock.set(at(2 * DAY + 1000)); // `two` is past its valid_until; the job has not run again
    const login = await t.request('POST', '/api/v2/auth/login', { body: ADMIN }); // the owner's token has expired meanwhile
    assert.equal(login.status, 200, login.text);
    const res = await t.wb('GET', '/api/admin/activation-codes?status=expired', { headers: bearer(login.body.access_token) });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(
      res.body.data.list.map((r: { code: string; status: string; validityPeriod: number }) => [r.code, r.status, r.validityPeriod]),
      [
        [two, 'expired', 2],
        [one, 'expired', 1],
      ],
    );
    assert.equal(res.body.data.total, 2);
    const all = await t.wb('GET', '/api/admin/activation-codes', { headers: bearer(login.body.access_token) });
    assert.deepEqual(
      all.body.data.list.map((r: { code: string; status: string }) => [r.code, r.status]),
      [
        [thirty, 'unused'],
        [two, 'expired'],
        [one, 'expired'],
      ],
    );
  });
});

describe('robots: generating codes past the plan (billing on)', () => {
  let t: RobotsApp;
  let owner: Owner;
  before(async () => {
    // The home tenant by name: a tenant on the free plan (the operator's own plan may be unlimited),
    // "Plan shop", whose registered owner is thus a WorkBot admin.
    const register = (first: RobotsApp) => registerOwner(first, 'plan', { tenantName: 'Plan shop' });
    ({ t, prepared: owner } = await robotsAppWithHome('Plan shop', register, { extraPlugins: ['billing'] }));
  });
  after(async () => t?.close());

  it('all or none: a count the plan cannot hold is 402 and writes no code; one that fits writes them all', async () => {
    assert.equal(await homeTenantId(t), owner.tenantId);
    const maxLicenses = 10; // the free plan's max_licenses (plugins/billing/config.ts)
    const over = await t.wb('POST', '/api/admin/activation-codes', { body: { count: maxLicenses + 1 }, headers: owner.headers });
    assert.equal(over.status, 402, over.text);
    assert.equal(over.body.code, 402);
    assert.equal((await t.app.db('licensing_licenses').where({ tenant_id: owner.tenantId })).length, 0, 'nothing half-written');
    const fits = await t.wb('POST', '/api/admin/activation-codes', { body: { count: maxLicenses }, headers: owner.headers });
    assert.equal(fits.status, 200, fits.text);
    assert.equal(fits.body.data.codes.length, maxLicenses);
    assert.equal(new Set(fits.body.data.codes.map((c: { code: string }) => c.code)).size, maxLicenses);
    assert.equal((await t.app.db('licensing_licenses').where({ tenant_id: owner.tenantId })).length, maxLicenses);
    assert.equal((await t.app.db('core_events').where({ name: 'license.generated', tenant_id: owner.tenantId })).length, maxLicenses);
  });
});
