// Beside seed 003's reads: GET /api/email/:id/headers, /api/email/:id/source and /api/emails/search,
// with the face's scope (a mailbox login sees its own mailbox's mail, a tenant user their tenant's,
// the root token all) and hostile search text answered with a 4xx or a result, never a 5xx.
import assert from 'node:assert/strict';
import { type Actor, addUser, registerOwner } from '../../../test/helpers/actors.js';
import { likePattern, parseHeaders } from '../services/email-views.js';
import { assertError, createMailbox, inbox, loginAdmin, send, sendRaw, startMailApp, unique, type MailApp } from './helpers.js';
import { mailLoginOk, ROOT_TOKEN } from './relay.js';

const folded = (to: string) =>
  Buffer.from(
    [
      'From: Folded Sender <folded@outside.test>',
      `To: ${to}`,
      'Subject: A subject that is',
      ' folded over two lines',
      'X-Trace: first',
      'X-Trace: second',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The body: 100% sure_thing, Grüße 🙂.',
      '',
    ].join('\r\n'),
  );

describe('mail: a message’s headers and source, and search', () => {
  let t: MailApp;
  let owner: Actor;
  let member: Actor;
  let other: Actor;
  let admin: Actor;
  const root = { authorization: `Bearer ${ROOT_TOKEN}` };
  let box: string;
  let memberBox: string;
  let otherBox: string;
  let foldedId: number;
  let otherId: number;

  before(async () => {
    t = await startMailApp({ auth: { rootToken: ROOT_TOKEN } });
    admin = await loginAdmin(t);
    owner = await registerOwner(t, 'viewsowner');
    member = await addUser(t, owner.tenantId, 'member', { label: 'viewsmember' });
    other = await registerOwner(t, 'viewsother');
    box = await createMailbox(t, owner, unique('views'));
    memberBox = await createMailbox(t, member, unique('viewsm'));
    otherBox = await createMailbox(t, other, unique('viewso'));
    await sendRaw(t, folded(box), box);
    await send(t, { to: box, subject: 'Invoice 42 ready', text: 'Pay by Friday.' });
    await send(t, { to: memberBox, subject: 'Invoice 43 for the member', text: 'Member mail.' });
    await send(t, { to: otherBox, subject: 'Invoice 44 elsewhere', text: 'Other tenant.' });
    foldedId = (await inbox(t, owner, box)).find((e) => e.subject.startsWith('A subject')).id;
    otherId = (await inbox(t, other, otherBox))[0].id;
  });
  after(async () => t?.close());

  it('headers: every line in received order, names as written, folded values unfolded', async () => {
    const res = await t.mail('GET', `/api/email/${foldedId}/headers`, { headers: owner.headers });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.id, foldedId);
    const names = res.body.headers.map((h: any) => h.name);
    const sent = ['From', 'To', 'Subject', 'X-Trace', 'X-Trace', 'Content-Type'];
    assert.deepEqual(
      names.filter((n: string) => sent.includes(n)),
      sent,
    );
    const value = (name: string) => res.body.headers.filter((h: any) => h.name === name).map((h: any) => h.value);
    assert.deepEqual(value('Subject'), ['A subject that is folded over two lines']);
    assert.deepEqual(value('X-Trace'), ['first', 'second']);
    // Reading the headers does not mark the message read.
    assert.equal((await inbox(t, owner, box)).find((e) => e.id === foldedId).is_read, 0);
  });

  it('source: the bytes as received, as text/plain; max_bytes shows the start and says so', async () => {
    const download = await t.mail('GET', `/api/email/${foldedId}/download`, { headers: owner.headers });
    const res = await fetch(`${t.url}/mail/api/email/${foldedId}/source`, { headers: owner.headers });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    const bytes = Buffer.from(await res.arrayBuffer());
    assert.equal(bytes.toString('utf8'), download.text);
    assert.equal(res.headers.get('x-source-size'), String(bytes.length));
    assert.equal(res.headers.get('x-source-truncated'), null);
    assert.ok(bytes.includes(folded(box)), 'the sent bytes are in the source unchanged');

    const big = `${'line of filler text '.repeat(4)}\r\n`.repeat(200);
    await send(t, { to: box, subject: 'A large one', text: big });
    const large = (await inbox(t, owner, box)).find((e) => e.subject === 'A large one').id;
    const cut = await fetch(`${t.url}/mail/api/email/${large}/source?max_bytes=1024`, { headers: owner.headers });
    assert.equal(cut.status, 200);
    assert.equal((await cut.arrayBuffer()).byteLength, 1024);
    assert.equal(cut.headers.get('x-source-truncated'), '1');
    assert.ok(Number(cut.headers.get('x-source-size')) > big.length);
    assertError(await t.mail('GET', `/api/email/${large}/source?max_bytes=10`, { headers: owner.headers }), 400);
  });

  it('refusals: no credentials 401; another tenant’s, another member’s or another mailbox’s message is 404; the root token sees all', async () => {
    for (const path of ['headers', 'source']) {
      assertError(await t.mail('GET', `/api/email/${foldedId}/${path}`), 401);
      assertError(await t.mail('GET', `/api/email/${otherId}/${path}`, { headers: owner.headers }), 404, 'email_not_found');
      assertError(await t.mail('GET', `/api/email/${foldedId}/${path}`, { headers: other.headers }), 404, 'email_not_found');
      assertError(await t.mail('GET', `/api/email/${foldedId}/${path}`, { headers: member.headers }), 404, 'email_not_found');
      assertError(await t.mail('GET', `/api/email/999999/${path}`, { headers: root }), 404, 'email_not_found');
      assert.equal((await t.mail('GET', `/api/email/${otherId}/${path}`, { headers: root })).status, 200);
      assert.equal((await t.mail('GET', `/api/email/${otherId}/${path}`, { headers: admin.headers })).status, 200);
    }
    // A mailbox login: its own mailbox's mail, nothing else.
    const address = await createMailbox(t, admin, unique('viewslogin'));
    const password = 'Mailbox-pass-2026';
    assert.equal((await t.mail('POST', '/api/mailboxes/change-password', { headers: admin.headers, body: { address, new_password: password } })).status, 200);
    const toggled = await t.mail('POST', '/api/mailboxes/toggle-login', { headers: admin.headers, body: { address, can_login: true } });
    assert.equal(toggled.status, 200);
    await send(t, { to: address, subject: 'Invoice 45 for the login', text: 'Own mail.' });
    const headers = await mailLoginOk(t, address, password);
    const own = (await inbox(t, { headers }, address))[0].id;
    assert.equal((await t.mail('GET', `/api/email/${own}/headers`, { headers })).status, 200);
    assert.equal((await t.mail('GET', `/api/email/${own}/source`, { headers })).status, 200);
    assertError(await t.mail('GET', `/api/email/${foldedId}/headers`, { headers }), 404);
    assertError(await t.mail('GET', `/api/email/${foldedId}/source`, { headers }), 404);
    const found = await t.mail('GET', '/api/emails/search?q=invoice', { headers });
    assert.equal(found.status, 200, found.text);
    assert.deepEqual(
      found.body.items.map((e: any) => e.subject),
      ['Invoice 45 for the login'],
    );
  });

  const search = async (actor: { headers: Record<string, string> }, query: string) => {
    const res = await t.mail('GET', `/api/emails/search?${query}`, { headers: actor.headers });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const subjects = (page: any) => page.items.map((e: any) => e.subject);

  it('search: across the caller’s mailboxes or one, by field, newest first, in core pages', async () => {
    const all = await search(owner, 'q=INVOICE');
    assert.deepEqual(subjects(all), ['Invoice 43 for the member', 'Invoice 42 ready']);
    assert.deepEqual({ total: all.total, page: all.page, page_size: all.page_size, pages: all.pages }, { total: 2, page: 1, page_size: 20, pages: 1 });
    assert.equal(all.items[1].mailbox, box);
    assert.equal(all.items[1].to_addrs, box);
    assert.deepEqual(subjects(await search(owner, `q=invoice&mailbox=${encodeURIComponent(box)}`)), ['Invoice 42 ready']);
    assert.deepEqual(subjects(await search(member, 'q=invoice')), ['Invoice 43 for the member']);
    assert.deepEqual(subjects(await search(other, 'q=invoice')), ['Invoice 44 elsewhere']);
    assert.equal((await search({ headers: root }, 'q=invoice')).total, 4);

    const second = await search(owner, 'q=invoice&page=2&page_size=1');
    assert.deepEqual(subjects(second), ['Invoice 42 ready']);
    assert.equal(second.pages, 2);

    assert.deepEqual(subjects(await search(owner, 'q=folded%40outside&in=from')), ['A subject that is folded over two lines']);
    assert.deepEqual(subjects(await search(owner, 'q=Folded%20Sender&in=from')), ['A subject that is folded over two lines']);
    assert.equal((await search(owner, 'q=folded&in=text')).total, 0);
    assert.deepEqual(subjects(await search(owner, 'q=friday&in=text')), ['Invoice 42 ready']);
    assert.deepEqual(subjects(await search(owner, `q=${encodeURIComponent(memberBox)}&in=to`)), ['Invoice 43 for the member']);
    assert.deepEqual(subjects(await search(owner, 'q=ready&in=subject')), ['Invoice 42 ready']);

    assertError(await t.mail('GET', `/api/emails/search?q=invoice&mailbox=${encodeURIComponent(otherBox)}`, { headers: owner.headers }), 404);
    assertError(await t.mail('GET', `/api/emails/search?q=invoice&mailbox=${encodeURIComponent(memberBox)}`, { headers: other.headers }), 404);
    assertError(await t.mail('GET', '/api/emails/search?q=invoice'), 401);
  });

  it('search: hostile text is taken literally or refused with a 400, never a 5xx', async () => {
    // % and _ are literal, not wildcards; a backslash too.
    assert.deepEqual(subjects(await search(owner, `q=${encodeURIComponent('100%')}`)), ['A subject that is folded over two lines']);
    assert.equal((await search(owner, `q=${encodeURIComponent('%')}&in=subject`)).total, 0);
    assert.deepEqual(subjects(await search(owner, `q=${encodeURIComponent('sure_thing')}`)), ['A subject that is folded over two lines']);
    assert.equal((await search(owner, `q=${encodeURIComponent('sure_')}&in=subject`)).total, 0);
    assert.equal((await search(owner, `q=${encodeURIComponent('\\')}`)).total, 0);
    assert.equal((await search(owner, `q=${encodeURIComponent("' or 1=1 --")}`)).total, 0);
    // Unicode in the stored text.
    assert.deepEqual(subjects(await search(owner, `q=${encodeURIComponent('Grüße 🙂')}&in=text`)), ['A subject that is folded over two lines']);
    // Refused: a NUL, empty, too long, a field that does not exist, a page out of range.
    assertError(await t.mail('GET', '/api/emails/search?q=a%00b', { headers: owner.headers }), 400);
    assertError(await t.mail('GET', '/api/emails/search?q=', { headers: owner.headers }), 400);
    assertError(await t.mail('GET', '/api/emails/search', { headers: owner.headers }), 400);
    assertError(await t.mail('GET', `/api/emails/search?q=${'a'.repeat(201)}`, { headers: owner.headers }), 400);
    assertError(await t.mail('GET', `/api/emails/search?q=${'%'.repeat(5000)}`, { headers: owner.headers }), 400);
    assertError(await t.mail('GET', '/api/emails/search?q=a&in=body', { headers: owner.headers }), 400);
    assertError(await t.mail('GET', '/api/emails/search?q=a&page_size=500', { headers: owner.headers }), 400);
  });

  it('parseHeaders: bare LF line ends, no body at all, and a body that looks like headers', async () => {
    assert.deepEqual(await parseHeaders(Buffer.from('A: 1\nB: x\n y\n\nC: not a header')), [
      { name: 'A', value: '1' },
      { name: 'B', value: 'x y' },
    ]);
    assert.deepEqual(await parseHeaders(Buffer.from('Only: this')), [{ name: 'Only', value: 'this' }]);
    assert.equal(likePattern('50%_a\\b'), '%50\\%\\_a\\\\b%');
  });
});
