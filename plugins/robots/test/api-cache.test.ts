// robotsApi keeps active robots in a cache (the AI reads its robot for every message it answers):
// what it serves follows a rename, a removal and a tenant's deletion at once on the instance that
// made them, and on another instance sharing the database once pub/sub tells it.
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../../test/helpers/database.js';
import { waitFor } from '../../../test/helpers/processes.js';
import { ownerWithRobot, robotsApp, type RobotsApp } from '../../../test/helpers/robots.js';
import { WriteSet } from 'plinth/plugin';
import type { RobotsServices } from '../services/index.js';

const services = (t: RobotsApp) => t.app.container.resolve<RobotsServices>('robotsServices');
const text = { type: 'text', titleList: ['Zhang San'], content: 'hello', atList: [] };

describe('robots: robotsApi serves active robots from a cache that follows their changes', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp();
  });
  after(() => t?.close());

  it('a rename shows at once; a removed robot is gone for robot() and sendMessage(), alone or staged in a WriteSet', async () => {
    const { owner, robot } = await ownerWithRobot(t, 'cache-owner');
    const s = services(t);
    const scope = { tenantId: owner.tenantId, userId: owner.id, admin: true };
    assert.equal((await s.api.robot(owner.tenantId, robot.robotId))?.robotId, robot.robotId);
    await s.robots.update(scope, robot.robotId, { name: 'Renamed' });
    assert.equal((await s.api.robot(owner.tenantId, robot.robotId))?.name, 'Renamed');
    assert.ok((await s.api.sendMessage(owner.tenantId, robot.robotId, text, { createdBy: 'test' })).commandId);

    await s.robots.remove(scope, robot.robotId);
    assert.equal(await s.api.robot(owner.tenantId, robot.robotId), null);
    await assert.rejects(s.api.sendMessage(owner.tenantId, robot.robotId, text, { createdBy: 'test' }), { status: 404 });
    const writes = new WriteSet();
    await assert.rejects(s.api.sendMessage(owner.tenantId, robot.robotId, text, { createdBy: 'test', writes }), { status: 404 });
    await writes.run(t.app.db);
    assert.equal(Number((await t.app.db('robots_commands').count({ n: '*' }).first())?.n), 1, 'nothing staged for the removed robot');
    assert.equal(await s.api.robot('another-tenant', robot.robotId), null, 'keyed by tenant too');
  });
});

describe('robots: a robot removed on one instance is gone from the other instance’s cache (PostgreSQL)', function () {
  this.timeout(60_000);
  it('B cached the robot; A removes it; B’s robot() says null once told', async () => {
    const database = await createTestDatabase({ dialect: 'postgres' });
    const a = await robotsApp({ database });
    const b = await robotsApp({ database });
    try {
      const { owner, robot } = await ownerWithRobot(a, 'two-instances');
      assert.equal((await services(b).api.robot(owner.tenantId, robot.robotId))?.robotId, robot.robotId);
      await services(a).robots.remove({ tenantId: owner.tenantId, userId: owner.id, admin: true }, robot.robotId);
      await waitFor('B drops the robot', async () => ((await services(b).api.robot(owner.tenantId, robot.robotId)) === null ? true : null), {
        timeoutMs: 10_000,
      });
    } finally {
      await b.close();
      await a.close();
      await database.drop();
    }
  });
});
