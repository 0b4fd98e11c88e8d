// The admin pages' live channel sends the events published together as one message: on PostgreSQL
// one NOTIFY (a transaction and a WAL flush) for a burst of ended workflow runs, not one each. The
// pages still hear every event, in order and only their tenant's; large bursts are cut under
// NOTIFY's 8,000 bytes; a message in the one-event form of earlier instances is still heard; a
// stopping instance sends what it gathered before its pub/sub closes.
import assert from 'node:assert/strict';
import { LiveHub, type LiveClient, type LiveEvent } from '../../core/live.js';
import { MemoryPubSub, PostgresPubSub, type Message, type PubSub } from '../../core/pubsub.js';
import { createLogger } from '../../core/logger.js';
import { usingPostgres } from '../helpers/database.js';

const logger = createLogger('silent');
const CHANNEL = 'admin.live';

/** A page of `tenantId` attached to `hub`: what it heard, and a wait for its `count`th event. */
async function page(hub: LiveHub, tenantId: string) {
  const heard: LiveEvent[] = [];
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  const client: LiveClient = {
    tenantId,
    send(event) {
      heard.push(event);
      for (const w of waiting.filter((w) => heard.length >= w.count)) w.resolve();
    },
  };
  await hub.attach(client);
  const until = (count: number) => (heard.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ count, resolve })));
  return { heard, until };
}

/** Every message on the live channel as a listener sees them, and a wait for the messages to carry `count` events. */
async function messagesOf(pubsub: PubSub) {
  const messages: Message[] = [];
  let events = 0;
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  await pubsub.subscribe(CHANNEL, (m) => {
    messages.push(m);
    events += (m.events as unknown[]).length;
    for (const w of waiting.filter((w) => events >= w.count)) w.resolve();
  });
  const until = (count: number) => (events >= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ count, resolve })));
  return { messages, until };
}

const runEnded = (runId: number) => ({ runId, workflowId: 'wf-1', status: 'succeeded' });

function gathering(name: string, makePubSub: () => PubSub) {
  describe(`the live channel gathers its events (${name})`, () => {
    let pubsub: PubSub;
    let listener: PubSub;
    let hub: LiveHub;

    beforeEach(() => {
      pubsub = makePubSub();
      // On PostgreSQL a second connection hears the NOTIFYs (a pub/sub hears its own as well).
      listener = pubsub instanceof PostgresPubSub ? makePubSub() : pubsub;
      hub = new LiveHub({ pubsub, logger });
      hub.declare('workflows', ['workflow.run']);
    });

    afterEach(async () => {
      await hub.close();
      await pubsub.close();
      if (listener !== pubsub) await listener.close();
    });

    it('fifty runs ending in one turn go out as one message; the page hears each, in order, and another tenant none', async () => {
      const { messages, until } = await messagesOf(listener);
      const mine = await page(hub, 'tenant-a');
      const theirs = await page(hub, 'tenant-b');
      for (let runId = 1; runId <= 50; runId++) await hub.publish('tenant-a', 'workflow.run', runEnded(runId));
      await mine.until(50);
      assert.deepEqual(
        mine.heard.map((e) => e.data.runId),
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      assert.deepEqual(mine.heard[0], { kind: 'workflow.run', data: runEnded(1) });
      await until(50);
      assert.equal(messages.length, 1, 'one message for the burst');
      assert.deepEqual(theirs.heard, []);
    });

    it('a burst too large for one NOTIFY is cut into messages under 8,000 bytes, none lost', async () => {
      const { messages, until } = await messagesOf(listener);
      const mine = await page(hub, 'tenant-a');
      const note = 'é'.repeat(400); // 800 bytes of UTF-8 an event: the cut counts bytes, not characters
      for (let runId = 1; runId <= 40; runId++) await hub.publish('tenant-a', 'workflow.run', { ...runEnded(runId), note });
      await mine.until(40);
      await until(40);
      assert.deepEqual(
        mine.heard.map((e) => e.data.runId),
        Array.from({ length: 40 }, (_, i) => i + 1),
      );
      assert.ok(messages.length >= 5, `${messages.length} messages`);
      for (const m of messages) assert.ok(Buffer.byteLength(JSON.stringify(m)) < 8000, `a message of ${Buffer.byteLength(JSON.stringify(m))} bytes`);
    });

    it("an instance from before 2026-11-29 sends one event a message: this one's pages still hear it", async () => {
      const mine = await page(hub, 'tenant-a');
      await pubsub.publish(CHANNEL, { tenantId: 'tenant-a', kind: 'workflow.run', data: runEnded(7) });
      await mine.until(1);
      assert.deepEqual(mine.heard, [{ kind: 'workflow.run', data: runEnded(7) }]);
    });

    it('closing sends what was gathered, at once', async () => {
      const { messages, until } = await messagesOf(listener);
      const mine = await page(hub, 'tenant-a');
      await hub.publish('tenant-a', 'workflow.run', runEnded(1));
      await mine.until(1);
      // Within the gathering time of that send: held back until the next, which close() does not wait for.
      await hub.publish('tenant-a', 'workflow.run', runEnded(2));
      await hub.close();
      await mine.until(2);
      await until(2);
      assert.deepEqual(
        messages.map((m) => (m.events as Array<{ data: { runId: number } }>).map((e) => e.data.runId)),
        [[1], [2]],
      );
      // A closed hub publishes nothing more.
      await hub.publish('tenant-a', 'workflow.run', runEnded(3));
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.deepEqual(
        mine.heard.map((e) => e.data.runId),
        [1, 2],
      );
    });
  });
}

gathering('in-process', () => new MemoryPubSub());
if (usingPostgres) gathering('PostgreSQL NOTIFY', () => new PostgresPubSub({ url: process.env.DATABASE_URL ?? '', logger }));
