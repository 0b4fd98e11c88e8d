import assert from 'node:assert/strict';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { count, createMailbox, inbox, startMailApp, transport, type MailApp } from './helpers.js';
import { mailServices } from '../services/own.js';

const MESSAGES = 1000;
const CONNECTIONS = 10;

describe('mail: durability and load over SMTP', function () {
  this.timeout(180_000);
  let t: MailApp;
  let owner: Actor;
  let boxes: string[];
  let stopped = false;
  before(async () => {
    t = await startMailApp();
    owner = await registerOwner(t);
    boxes = [];
    for (let i = 0; i < 10; i++) boxes.push(await createMailbox(t, owner));
  });
  after(async () => {
    if (!t) return;
    if (stopped) await t.database.drop();
    else await t.close();
  });

  it(
    `${MESSAGES} messages over ${CONNECTIONS} parallel connections: all answered 250, each in the database the moment it is acknowledged, all ` + `stored`,
    async () => {
      const before = { emails: await count(t.db('mail_emails')), raw: await count(t.db('mail_raw')) };
      const pool = transport(t, { pool: true, maxConnections: CONNECTIONS, maxMessages: Infinity });
      const connections = new Set<number>();
      const server = (mailServices.of(t.app).receiver as any).server;
      server.on('connect', (session: { remotePort: number }) => connections.add(session.remotePort));
      const notFoundRightAfter: string[] = [];
      const responses: string[] = [];
      try {
        await Promise.all(
          Array.from({ length: MESSAGES }, async (_, i) => {
            const messageId = `<load-${i}-${process.pid}@load.test>`;
            const info = await pool.sendMail({
              from: 'load@outside.test',
              to: boxes[i % boxes.length],
              subject: `load ${i}`,
              text: `Message ${i}. ${'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(30)}`,
              messageId,
            });
            responses.push(info.response);
            // Acknowledged means stored: look right away, no waiting.
            const row = await t.db('mail_emails').where('message_id', messageId).first('id');
            if (!row) notFoundRightAfter.push(messageId);
            else if (!(await t.db('mail_raw').where('email_id', row.id).first('email_id'))) notFoundRightAfter.push(`${messageId} (raw)`);
          }),
        );
      } finally {
        pool.close();
      }
      assert.equal(responses.length, MESSAGES);
      assert.deepEqual(
        responses.filter((r) => !/^250 /.test(r)),
        [],
      );
      assert.deepEqual(notFoundRightAfter, [], 'every acknowledged message was in the database when the 250 arrived');
      assert.ok(connections.size >= CONNECTIONS - 1 && connections.size <= CONNECTIONS, `used ${connections.size} connections`);
      assert.equal(await count(t.db('mail_emails')), before.emails + MESSAGES);
      assert.equal(await count(t.db('mail_raw')), before.raw + MESSAGES);
      const [distinct] = await t.db('mail_emails').where('message_id', 'like', '<load-%').countDistinct({ d: 'message_id' });
      assert.equal(Number(distinct.d), MESSAGES, 'each message once');
      const perBox = await inbox(t, owner, boxes[3]);
      assert.equal(perBox.length, 50, 'the API limit');
      assert.equal(
        await count(t.db('mail_emails').whereIn('mailbox_id', t.db('mail_mailboxes').where('address', boxes[3]).select('id'))),
        MESSAGES / boxes.length,
      );
      assert.equal(await count(t.db('core_events').where('name', 'mail.received')), before.emails + MESSAGES);
    },
  );

  it('what was acknowledged survives a restart (committed, not held in memory)', async () => {
    const total = await count(t.db('mail_emails'));
    await t.app.stop();
    stopped = true;
    const again = await startMailApp({ database: t.database });
    try {
      assert.equal(await count(again.db('mail_emails')), total);
      assert.equal(await count(again.db('mail_raw')), total);
    } finally {
      await again.close();
    }
  });
});
