// The robots list: the caller's robots (an owner or admin sees the tenant's) with their online status,
// fetched again every 2 s; a robot's name opens it (?robot=…).
import { useState } from 'preact/hooks';
import { ErrorBanner, formatNumber, LiveNote, mayOpenPage, Page, Table, Time, t } from 'plinth/plugin/ui';
import { BASE, fieldStyle, Pager, StatusBadge, useLiveApi, withQuery, type List, type Reply } from './shared.js';

/** One row of GET /api/robots. */
export interface RobotRow {
  robotId: string;
  name: string;
  status: 'online' | 'offline' | 'deleted';
  aiMode: string;
  aiProvider: string;
  totalMessages: number;
  aiCallsToday: number;
  lastActiveAt: string | null;
  deviceInfo: { deviceId: string; brand?: string; model?: string } | null;
  createdAt: string;
}

const PAGE_SIZE = 20;
const EVERY_MS = 5000;
const FILTERS = [
  { value: '', label: 'robots.list.filter.all' },
  { value: 'online', label: 'robots.list.filter.online' },
  { value: 'offline', label: 'robots.list.filter.offline' },
];

export const deviceName = (d: RobotRow['deviceInfo']) => (d ? [d.brand, d.model].filter(Boolean).join(' ') || d.deviceId : '—');

/** Where activation codes come from, for this viewer: the Activation codes page only for those who may open it (WorkBot's admins). */
const noRobots = () => t(mayOpenPage('/admin/robots/codes') ? 'robots.list.emptyCodesPage' : 'robots.list.emptyOperator');

export function RobotsList() {
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const list = useLiveApi<Reply<List<RobotRow>>>(withQuery(`${BASE}/robots`, { page, pageSize: PAGE_SIZE, status }), EVERY_MS);
  const data = list.data?.data;
  const choose = (next: string) => {
    setStatus(next);
    setPage(1);
  };

  return (
    <Page title={t('robots.list.title')}>
      <section class="card" aria-labelledby="robots-title">
        <h2 id="robots-title">{t('robots.list.yours')}</h2>
        <div class="inline-form" role="group" aria-label={t('robots.filters')}>
          <div>
            <label for="robots-status">{t('robots.list.show')}</label>
            <select id="robots-status" value={status} onChange={(e) => choose(e.currentTarget.value)} style={fieldStyle}>
              {FILTERS.map((f) => (
                <option key={f.value} value={f.value}>
                  {t(f.label)}
                </option>
              ))}
            </select>
          </div>
          <div class="grow" />
          <LiveNote open={list.live} fallback={t('robots.list.polling', { seconds: EVERY_MS / 1000 })} />
        </div>
        <ErrorBanner error={list.error} />
        <Table
          rows={data?.list ?? []}
          rowKey={(r) => r.robotId}
          empty={!data ? t('robots.loading') : status ? t('robots.list.emptyStatus', { status: t('robots.status', { status, label: status }) }) : noRobots()}
          columns={[
            {
              label: t('robots.list.col.name'),
              value: (r) => (
                <a href={withQuery('', { robot: r.robotId })} title={t('robots.list.details')}>
                  {r.name}
                </a>
              ),
            },
            { label: t('robots.list.col.id'), value: (r) => <code>{r.robotId}</code> },
            { label: t('robots.list.col.status'), value: (r) => <StatusBadge status={r.status} /> },
            { label: t('robots.list.col.aiMode'), value: (r) => t('robots.aiMode', { mode: r.aiMode }) },
            { label: t('robots.list.col.device'), value: (r) => deviceName(r.deviceInfo) },
            { label: t('robots.list.col.messages'), value: (r) => formatNumber(r.totalMessages), class: 'num' },
            { label: t('robots.list.col.lastActive'), value: (r) => <Time value={r.lastActiveAt} /> },
          ]}
        />
        <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} count={(count) => t('robots.list.count', { count })} onPage={setPage} />
      </section>
    </Page>
  );
}
