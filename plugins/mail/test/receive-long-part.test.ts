// A long quoted-printable part, decoded through patches/postal-mime+4.0.0.patch: the decoder's
// buffer grows instead of being 100 KB for every part, and its chunks are joined without a Blob.
import assert from 'node:assert/strict';
import { type Actor, registerOwner } from '../../../test/helpers/actors.js';
import { createMailbox, inbox, send, startMailApp, type MailApp } from './helpers.js';

describe('mail: receiving a long quoted-printable part', () => {
  let t: MailApp;
  let owner: Actor;
  before(async () => {
    t = await startMailApp();
    owner = await registerOwner(t);
  });
  after(async () => t?.close());

  // patches/postal-mime+4.0.0.patch: the decoder's buffer starts at 4 KB and doubles to its 100 KB
  // chunk, then flushes; the flushed chunks are joined at the end. A part over 300 KB crosses every
  // growth and several flushes; escapes of multi-byte characters and soft line breaks fall on all
  // sides of them.
  it('reads back exactly, its code found', async () => {
    const address = await createMailbox(t, owner);
    const lines = Array.from({ length: 5000 }, (_, i) => `${i} é€ж😀 a=b ${'x'.repeat(i % 90)}`);
    const text = `Your code: 802913\n${lines.join('\n')}`;
    assert.ok(Buffer.byteLength(text) > 300_000);
    await send(t, { to: address, subject: 'long', text, textEncoding: 'quoted-printable' });
    const [item] = await inbox(t, owner, address);
    const read = await t.mail('GET', `/api/email/${item.id}`, { headers: owner.headers });
    assert.equal(read.body.content.trimEnd(), text);
    assert.equal(item.verification_code, '802913');
  });
});
