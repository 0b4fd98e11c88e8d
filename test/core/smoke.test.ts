import assert from 'node:assert/strict';
import { createTestApp, testAuth, type TestApp } from '../helpers/app.js';

describe('smoke: the example plugin on a real app', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => t.close());

  it('creates a note, emits its event and delivers it to the handler', async () => {
    const res = await t.request('POST', '/example/notes', { body: { title: 'first' }, headers: testAuth('u1', 't1') });
    assert.equal(res.status, 201);
    assert.equal(res.body.title, 'first');
    await t.app.events.flush();
    const log = await t.app.db('example_note_log').select('title');
    assert.deepEqual(
      log.map((r) => r.title),
      ['first'],
    );
    const ev = await t.app.db('core_events').where('name', 'example.note.created').first();
    assert.equal(ev.status, 'delivered');
  });
});
