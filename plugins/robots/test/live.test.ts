// The admin pages' live channel (GET /admin/api/live, server-sent events): a robot that connects
// is announced to its tenant's open pages at once, never to another tenant's; with two instances
// on one PostgreSQL database, a robot connecting to one is announced on a page served by the other.
import assert from 'node:assert/strict';
import { createTestDatabase, type TestDatabase } from '../../../test/helpers/database.js';
import { ownerWithRobot, RobotSocket, robotsApp, type Owner, type RobotsApp } from './helpers.js';

interface LiveEvent {
  kind: string;
  data: Record<string, unknown>;
}

/** An open live stream read in the background: its events as they come. */
async function openLive(t: RobotsApp, who: Owner) {
  const aborted = new AbortController();
  const res = await fetch(`${t.url}/admin/api/live`, { headers: who.headers, signal: aborted.signal });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const events: LiveEvent[] = [];
  const waiters: Array<() => void> = [];
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const kind = /^event: (.+)$/m.exec(frame)?.[1];
          const data = /^data: (.+)$/m.exec(frame)?.[1];
          if (kind && data) events.push({ kind, data: JSON.parse(data) });
          for (const w of waiters.splice(0)) w();
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return {
    events,
    /** Resolves with the first event matching, waiting for it to come. */
    async next(match: (e: LiveEvent) => boolean): Promise<LiveEvent> {
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        await new Promise<void>((resolve) => waiters.push(resolve));
      }
    },
    close: () => aborted.abort(),
  };
}

const presenceOf = (robotId: string) => (e: LiveEvent) => e.kind === 'robot.presence' && e.data.robotId === robotId;

describe('robots: the admin live channel (/admin/api/live)', () => {
  let t: RobotsApp;
  before(async () => {
    t = await robotsApp();
  });
  after(() => t?.close());

  it("a robot coming and going is announced to its tenant's page, and another tenant's page hears only its own", async () => {
    const a = await ownerWithRobot(t, 'live-a');
    const b = await ownerWithRobot(t, 'live-b');
    const pageA = await openLive(t, a.owner);
    const pageB = await openLive(t, b.owner);
    try {
      const socketA = await RobotSocket.open(t, a.robot.robotId, a.robot.token);
      const online = await pageA.next(presenceOf(a.robot.robotId));
      assert.deepEqual(online.data, { robotId: a.robot.robotId, online: true });
      const socketB = await RobotSocket.open(t, b.robot.robotId, b.robot.token);
      await pageB.next(presenceOf(b.robot.robotId));
      assert.ok(!pageB.events.some(presenceOf(a.robot.robotId)), "B's page never hears of A's robot");
      socketA.ws.close();
      await pageA.next((e) => presenceOf(a.robot.robotId)(e) && e.data.online === false);
      socketB.ws.close();
    } finally {
      pageA.close();
      pageB.close();
    }
  });

  it('asks for a session, and caps the open streams of one person (429)', async () => {
    assert.equal((await fetch(`${t.url}/admin/api/live`)).status, 401);
    const { owner } = await ownerWithRobot(t, 'live-cap');
    const pages = [];
    for (let i = 0; i < 8; i++) pages.push(await openLive(t, owner));
    const ninth = await fetch(`${t.url}/admin/api/live`, { headers: owner.headers });
    assert.equal(ninth.status, 429);
    assert.equal((await ninth.json()).error.code, 'too_many_streams');
    for (const p of pages) p.close();
  });
});

describe('robots: the live channel across two instances (PostgreSQL)', () => {
  let database: TestDatabase;
  let one: RobotsApp;
  let two: RobotsApp;
  before(async () => {
    database = await createTestDatabase({ dialect: 'postgres' });
    one = await robotsApp({ database });
    two = await robotsApp({ database });
  });
  after(async () => {
    await one?.close();
    await two?.close();
    await database?.drop();
  });

  it('a robot connecting to one instance is announced on a page the other serves', async () => {
    const { owner, robot } = await ownerWithRobot(one, 'live-two');
    const page = await openLive(two, owner);
    try {
      const socket = await RobotSocket.open(one, robot.robotId, robot.token);
      assert.deepEqual((await page.next(presenceOf(robot.robotId))).data, { robotId: robot.robotId, online: true });
      socket.ws.close();
    } finally {
      page.close();
    }
  });
});
