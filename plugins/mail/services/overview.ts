// The mail plugin's cards on the Overview: mail received per day and the mailboxes, counted over
// the mailboxes the viewer's Mailboxes page lists (every tenant's for a superadmin, the tenant's for
// its admins, a member's own), so the numbers are that page's.
import type { OverviewCard, OverviewViewer, OverviewWindow } from 'plinth/plugin';
import { counted, dailySeries, sumOf, viewerMay } from 'plinth/plugin';
import type { PluginContext } from 'plinth/plugin';
import { type MailboxScope, scopeOf } from './access.js';
import type { MailServices } from './index.js';
import { mailServices } from './own.js';

const MAILBOXES_PAGE = '/admin/mail';

async function receivedCard(s: MailServices, scope: MailboxScope, window: OverviewWindow, platform: boolean): Promise<OverviewCard> {
  const days = await s.emails.receivedPerDay(scope, window.days.length);
  const series = dailySeries(
    window,
    days.map((d) => ({ date: d.date, n: d.received })),
  );
  const total = sumOf(series);
  return {
    id: 'mail.received',
    title: 'Mail received',
    value: total,
    unit: total === 1 ? 'message' : 'messages',
    note: `${counted(sumOf(series, 7), 'message')} in the last 7 days${platform ? ', all tenants' : ''}`,
    href: MAILBOXES_PAGE,
    series,
    seriesLabel: 'Mail received per day',
    live: ['mail.received'],
    messages: {
      title: { id: 'mail.overview.received.title' },
      unit: { id: 'mail.overview.received.unit', values: { count: total } },
      note: { id: 'mail.overview.received.note', values: { week: sumOf(series, 7), scope: platform ? 'platform' : 'tenant' } },
      seriesLabel: { id: 'mail.overview.received.series' },
    },
  };
}

async function mailboxesCard(s: MailServices, scope: MailboxScope, platform: boolean): Promise<OverviewCard> {
  const [{ n }] = await s.mailboxes.visible(scope).count({ n: '*' });
  const total = Number(n);
  return {
    id: 'mail.mailboxes',
    title: platform ? 'Mailboxes' : 'Your mailboxes',
    value: total,
    unit: total === 1 ? 'mailbox' : 'mailboxes',
    ...(platform && { note: 'All tenants' }),
    href: MAILBOXES_PAGE,
    messages: {
      title: { id: 'mail.overview.mailboxes.title', values: { scope: platform ? 'platform' : 'tenant' } },
      unit: { id: 'mail.overview.mailboxes.unit', values: { count: total } },
      note: { id: 'mail.overview.mailboxes.note' },
    },
  };
}

/** The provider (the manifest's `overview`): for whoever may use mail, within what their plan includes. */
export async function mailOverview(c: PluginContext<unknown>, viewer: OverviewViewer, window: OverviewWindow): Promise<OverviewCard[]> {
  if (viewer.principal.kind === 'guest' || !(await viewerMay(c, viewer, 'mail:use'))) return [];
  const s = mailServices.of(c);
  const scope = scopeOf(viewer.principal);
  return Promise.all([receivedCard(s, scope, window, viewer.platform), mailboxesCard(s, scope, viewer.platform)]);
}
