import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser, screenshot, signIn, type TestBrowser } from '../../../test/helpers/browser.js';
import { addUser } from '../../../test/helpers/actors.js';
import {
  RobotSocket,
  activate,
  bearer,
  device,
  newCodes,
  result,
  robotsAppWithHome,
  type Activation,
  type Owner,
  type RobotsApp,
} from '../../../test/helpers/robots.js';

// The robots admin pages in a real browser, signed in as the owner of WorkBot's home tenant (named
// by settings.robots.homeTenant, so they are a WorkBot admin; the admin UI's session
// cookie is accepted by /workbot/api/*): a robot activated over HTTP goes online when its WebSocket
// connects; a message sent from the robot's page reaches the robot's socket, and the command log
// shows its status change when the robot reports the result, without a reload. Then activation
// codes (generate, disable, unbind) and users (disable). Needs the UI bundle in dist/ui: `npm test`
// builds it first (pretest); alone, run `npm run build`.

const OWNER = { email: 'olivia@robots-ui.test', password: 'Owner-pass-for-robots-ui-42', name: 'Olivia Owner' };
const TEXT = 'Hello from the admin UI';

describe('robots admin UI (browser)', () => {
  let t: RobotsApp;
  let browser: TestBrowser;
  let page: Page;
  let owner: Owner;
  let code = '';
  let robot: Activation;
  let socket: RobotSocket | undefined;
  let commandId = '';
  const generated: string[] = [];

  const nav = () => page.getByRole('navigation', { name: 'Admin sections' });
  const heading = (name: string) => page.getByRole('heading', { name, level: 1 }).waitFor();
  const rowWith = (text: string) => page.getByRole('row').filter({ hasText: text });
  const commandRow = () =>
    page
      .getByRole('table', { name: /^Commands sent/ })
      .getByRole('row')
      .filter({ hasText: TEXT });
  const cells = (row: ReturnType<Page['locator']>) => row.getByRole('cell').allTextContents();
  const licenseStatus = async (c: string) => (await t.app.db('licensing_licenses').where('activation_code', c).first('status')).status as string;

  before(async () => {
    // Registration names the tenant after the owner; the setting names that tenant (checked at boot, so it is made first).
    ({ t } = await robotsAppWithHome(OWNER.name, async (first) => {
      const reg = await first.request('POST', '/api/v2/auth/register', { body: { email: OWNER.email, password: OWNER.password, full_name: OWNER.name } });
      assert.equal(reg.status, 201, reg.text);
    }));
    const login = await t.request('POST', '/api/v2/auth/login', { body: { email: OWNER.email, password: OWNER.password } });
    assert.equal(login.status, 200, login.text);
    owner = { id: login.body.user.id, tenantId: login.body.user.tenant_id, token: login.body.access_token, headers: bearer(login.body.access_token) };
    [code] = await newCodes(t, owner);
    robot = await activate(t, code, device('ui-phone-1'));
    const renamed = await t.wb('PUT', `/api/robots/${robot.robotId}`, { body: { name: 'Front desk' }, headers: owner.headers });
    assert.equal(renamed.status, 200, renamed.text);
    const reported = await t.wb('POST', '/api/robot/messages', {
      body: { robotId: robot.robotId, spoken: 'Is the shop open today?', receivedName: 'Zhang San', groupName: 'Buyers', atMe: true },
      headers: bearer(robot.token),
    });
    assert.equal(reported.status, 200, reported.text);
    browser = await launchBrowser(t.url);
    page = browser.page;
  });
  after(async () => {
    await socket?.close();
    try {
      await browser?.close();
    } finally {
      await t?.close();
    }
  });

  it('signs in as the owner: the robot is listed offline, and turns online when its socket connects (no reload, no polling)', async () => {
    // The page's clock is the test's: it runs as usual until paused below, to show what moves the page.
    await page.clock.install();
    await signIn(page, OWNER);
    for (const name of ['Activation codes', 'WorkBot users']) await nav().getByRole('link', { name, exact: true }).waitFor();
    await nav().getByRole('link', { name: 'Robots', exact: true }).click();
    await heading('Robots');
    assert.equal(new URL(page.url()).pathname, '/admin/robots');

    const row = rowWith(robot.robotId);
    await row.getByText('offline', { exact: true }).waitFor();
    const listed = await cells(row);
    assert.deepEqual(listed.slice(0, 6), ['Front desk', robot.robotId, 'offline', 'builtin', 'Xiaomi Mi 10', '1']);
    assert.notEqual(listed[6], '—', 'the reported message made it active');
    await page.evaluate(() => Object.assign(window, { loadedOnce: true }));

    // Driven by the live stream, not by polling: once the page says it is live, ten minutes of its time
    // pass without a single list request (it polls every 5 s only while the stream is down) …
    await page.locator('.live-note').getByText('live', { exact: true }).waitFor();
    let listRequests = 0;
    page.on('request', (req) => {
      if (req.method() === 'GET' && new URL(req.url()).pathname === '/workbot/api/robots') listRequests++;
    });
    await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1000));
    await page.clock.runFor('10:00');
    assert.equal(listRequests, 0, 'no polling while the stream is open');
    // … and the robot connecting (robot.presence on the stream) reloads the list once, at once.
    socket = await RobotSocket.open(t, robot.robotId, robot.token);
    while (!(await row.getByText('online', { exact: true }).isVisible())) await page.clock.runFor(200);
    assert.equal(listRequests, 1, 'one reload, on the event');
    await page.clock.resume();
    assert.equal(await page.evaluate(() => (window as unknown as { loadedOnce?: boolean }).loadedOnce), true, 'the page was not reloaded');
    await screenshot(page, 'robots-list');
  });

  it('opens the robot: its details, online, and the message its phone reported', async () => {
    await rowWith(robot.robotId).getByRole('link', { name: 'Front desk' }).click();
    await heading('Front desk');
    assert.equal(new URL(page.url()).search, `?robot=${robot.robotId}`);
    const facts = page.locator('.facts');
    await facts.getByText('online', { exact: true }).waitFor();
    await facts.getByText(code, { exact: true }).waitFor();
    await facts.getByText('Xiaomi Mi 10', { exact: false }).waitFor();
    const message = page
      .getByRole('table', { name: /^Messages the phone reported/ })
      .getByRole('row')
      .filter({ hasText: 'Is the shop open today?' });
    await message.waitFor();
    const [, from, group, text] = await cells(message);
    assert.deepEqual([from, group, text.trim()], ['Zhang San', 'Buyers', '@me Is the shop open today?']);
    // The last 30 days as a chart: one bar a day, today's counting the message reported.
    const chart = page.getByRole('list', { name: 'Messages reported per day, last 30 days' });
    await chart.waitFor();
    assert.equal(await chart.getByRole('listitem').count(), 30);
    const today = new Date().toLocaleDateString(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });
    assert.equal(await chart.getByRole('listitem', { name: `${today}: 1` }).count(), 1);
    await page.getByText('1 message reported').waitFor();
    await page.getByText('No commands yet. Send a message above.').waitFor();
    // Without the ai plugin there is no AI chart, and its API is not asked (no 404).
    assert.equal(await page.getByRole('list', { name: /^AI calls per day/ }).count(), 0);
  });

  it('a message without a recipient is refused with a clear message; nothing is queued', async () => {
    await page.getByLabel('Message', { exact: true }).fill(TEXT);
    await page.getByLabel(/^To /).fill(' , ');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const alert = page.getByRole('form', { name: 'Send a message' }).getByRole('alert');
    await alert.waitFor();
    assert.equal(await alert.textContent(), 'Name at least one contact or group to send to.');
    assert.equal(
      await t.app
        .db('robots_commands')
        .count({ n: '*' })
        .first()
        .then((r) => Number(r?.n)),
      0,
    );
  });

  it('sends a text: the robot receives it on its socket, and the log shows it sent', async () => {
    await page.getByLabel(/^To /).fill('Zhang San, Li Si');
    await page.getByLabel(/^Mention/).fill('Li Si');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const notice = page.getByRole('status').filter({ hasText: /^Command queued: cmd_/ });
    await notice.waitFor();

    const [frame] = await socket!.waitFor((f) => f.type === 'command');
    commandId = frame.data.commandId;
    assert.deepEqual(frame.data.commandParams, { type: 'text', titleList: ['Zhang San', 'Li Si'], content: TEXT, atList: ['Li Si'] });
    assert.equal(await notice.locator('code').textContent(), commandId);
    // Pushed to the open socket: sent (and handed out again until the robot reports the result).
    for (let i = 0; i < 100 && (await t.app.db('robots_commands').where('command_id', commandId).first()).status !== 'sent'; i++)
      await new Promise((r) => setTimeout(r, 20));
    const row = await t.app.db('robots_commands').where('command_id', commandId).first();
    assert.deepEqual([row.status, row.created_by, row.command_type], ['sent', owner.id, 'send_message']);
    assert.ok(row.sent_at);

    await commandRow().waitFor();
    await commandRow().getByText('sent', { exact: true }).waitFor();
    const [, to, content, status, , completed, outcome] = await cells(commandRow());
    assert.deepEqual([to, content, status, completed, outcome], ['Zhang San, Li Si', `${TEXT} (@Li Si)`, 'sent', '—', '—']);
    assert.equal(await page.getByLabel('Message', { exact: true }).inputValue(), '', 'the form is ready for the next message');
    await screenshot(page, 'robots-command-pending');
  });

  it('the robot reports success: the status changes to succeeded without a reload', async () => {
    await page.evaluate(() => Object.assign(window, { beforeResult: true }));
    const reported = await result(t, robot.token, robot.robotId, commandId, 0);
    assert.equal(reported.status, 200, reported.text);
    await commandRow().getByText('succeeded', { exact: true }).waitFor();
    const [, , , , , completed, outcome] = await cells(commandRow());
    assert.notEqual(completed, '—');
    assert.equal(outcome, 'ok in 25 ms');
    assert.equal(await page.evaluate(() => (window as unknown as { beforeResult?: boolean }).beforeResult), true, 'the page was not reloaded');
    assert.equal((await t.app.db('robots_commands').where('command_id', commandId).first()).status, 'succeeded');
    await screenshot(page, 'robots-command-succeeded');
  });

  it('generates two activation codes: shown once with Copy, then listed', async () => {
    await nav().getByRole('link', { name: 'Activation codes' }).click();
    await heading('Activation codes');
    const first = rowWith(code);
    await first.getByText(OWNER.name).waitFor();
    assert.deepEqual((await cells(first)).slice(1, 6), ['used', 'Xiaomi Mi 10', OWNER.name, '365', '—']);

    await page.getByRole('button', { name: 'Generate codes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate activation codes' });
    await dialog.getByLabel('How many').fill('2');
    await dialog.getByLabel('Valid for (days)').fill('30');
    await dialog.getByLabel('Price (optional)').fill('50');
    await dialog.getByRole('button', { name: 'Generate', exact: true }).click();
    await dialog.getByRole('heading', { name: 'New activation codes' }).waitFor();
    await dialog.getByText('2 activation codes are ready', { exact: false }).waitFor();
    generated.push(...(await dialog.locator('li code').allTextContents()));
    const rows = await t.app.db('licensing_licenses').where('product', 'workbot').whereNot('activation_code', code).orderBy('id');
    assert.deepEqual(generated.slice().sort(), rows.map((r: { activation_code: string }) => r.activation_code).sort());
    for (const c of generated) {
      assert.match(c, /^[A-Z0-9]{8}$/);
      await dialog.getByRole('button', { name: `Copy activation code ${c}` }).waitFor();
    }
    await screenshot(page, 'robots-codes-generated');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });

    for (const c of generated) {
      await rowWith(c).waitFor();
      assert.deepEqual((await cells(rowWith(c))).slice(1, 6), ['unused', 'free', '—', '30', '50.00']); // bound to no one: whoever activates it
    }
    await page.getByText('3 codes · page 1 of 1').waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('unused');
    await page.getByText('2 codes · page 1 of 1').waitFor();
    assert.equal(await rowWith(code).count(), 0, 'the used code is filtered out');
    await page.getByLabel('Status', { exact: true }).selectOption('');
    await page.getByText('3 codes · page 1 of 1').waitFor();
  });

  it('disables a code after a confirm: listed disabled, and it no longer activates a phone', async () => {
    const target = generated[0];
    await rowWith(target).getByRole('button', { name: 'Disable' }).click();
    const dialog = page.getByRole('dialog', { name: `Disable ${target}?` });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await licenseStatus(target), 'active', 'a canceled confirm changes nothing');

    await rowWith(target).getByRole('button', { name: 'Disable' }).click();
    await dialog.getByRole('button', { name: 'Disable code' }).click();
    await dialog.waitFor({ state: 'detached' });
    await rowWith(target).getByText('disabled', { exact: true }).waitFor();
    assert.equal(await rowWith(target).getByRole('button', { name: 'Disable' }).count(), 0);
    await page
      .getByRole('status')
      .filter({ hasText: `Disabled ${target}.` })
      .waitFor();
    assert.equal(await licenseStatus(target), 'disabled');
    const refused = await t.wb('POST', '/api/robot-ids/activate', { body: { code: target, deviceInfo: device() } });
    assert.equal(refused.status, 403, refused.text);
    await screenshot(page, 'robots-codes');
  });

  it('unbinds the robot’s device after a confirm: its socket is closed and the code is free', async () => {
    await rowWith(code).getByRole('button', { name: 'Unbind' }).click();
    const dialog = page.getByRole('dialog', { name: `Unbind the device of ${code}?` });
    await dialog.getByLabel('Reason (optional)').fill('new phone');
    const closed = socket!.closed();
    await dialog.getByRole('button', { name: 'Unbind device' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await closed, 4001);
    await page
      .getByRole('status')
      .filter({ hasText: `Unbound device ui-phone-1 from ${code} (robot ${robot.robotId})` })
      .waitFor();
    await rowWith(code).getByText('free', { exact: true }).waitFor();
    await activate(t, code, device('ui-phone-2'), 201);
  });

  it('lists the tenant’s users and disables a member after a confirm (not the owner themself)', async () => {
    const member = await addUser(t, owner.tenantId, 'member', { label: 'Max Member' });
    await nav().getByRole('link', { name: 'WorkBot users', exact: true }).click();
    await heading('WorkBot users');
    const me = rowWith(OWNER.email);
    await me.waitFor();
    assert.deepEqual((await cells(me)).slice(0, 6), [OWNER.name, OWNER.email, 'admin (owner)', 'active', '1', '1']);

    const row = rowWith('Max Member');
    assert.deepEqual((await cells(row)).slice(2, 4), ['user', 'active']);
    await row.getByRole('button', { name: /^Disable Max Member/ }).waitFor(); // the page knows who is signed in
    assert.equal(await me.getByRole('button', { name: /^Disable/ }).count(), 0);
    await row.getByRole('button', { name: /^Disable Max Member/ }).click();
    const dialog = page.getByRole('dialog', { name: /^Disable Max Member/ });
    await dialog.getByRole('button', { name: 'Disable user' }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('suspended', { exact: true }).waitFor();
    assert.equal((await t.app.db('auth_users').where('id', member.id).first('status')).status, 'suspended');
    assert.equal((await t.wb('GET', '/api/user/info', { headers: member.headers })).status, 401);
    await screenshot(page, 'robots-users');
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(browser.problems, []);
  });
});
