// The robots list: the caller's robots (an owner or admin sees the tenant's) with their online status,
// fetched again every 2 s; a robot's name opens it (?robot=…).
import { useState } from 'preact/hooks';
import { ErrorBanner, LiveNote, mayOpenPage, Page, Table, Time } from 'plinth/plugin/ui';
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
  { value: '', label: 'All robots' },
  { value: 'online', label: 'Online' },
  { value: 'offline', label: 'Offline' },
];

export const deviceName = (d: RobotRow['deviceInfo']) => (d ? [d.brand, d.model].filter(Boolean).join(' ') || d.deviceId : '—');

/** Where activation codes come from, for this viewer: the Activation codes page only for those who may open it (WorkBot's admins). */
const codesFrom = () => (mayOpenPage('/admin/robots/codes') ? 'from Activation codes' : 'your operator issued');

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
    <Page title="Robots">
      <section class="card" aria-labelledby="robots-title">
        <h2 id="robots-title">Your robots</h2>
        <div class="inline-form" role="group" aria-label="Filters">
          <div>
            <label for="robots-status">Show</label>
            <select id="robots-status" value={status} onChange={(e) => choose(e.currentTarget.value)} style={fieldStyle}>
              {FILTERS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </div>
          <div class="grow" />
          <LiveNote open={list.live} fallback={`Live updates are reconnecting: online status is checked every ${EVERY_MS / 1000} s.`} />
        </div>
        <ErrorBanner error={list.error} />
        <Table
          rows={data?.list ?? []}
          rowKey={(r) => r.robotId}
          empty={!data ? 'Loading…' : status ? `No ${status} robots.` : `No robots yet. A phone becomes a robot when it activates a code ${codesFrom()}.`}
          columns={[
            {
              label: 'Name',
              value: (r) => (
                <a href={withQuery('', { robot: r.robotId })} title="Details, messages and commands">
                  {r.name}
                </a>
              ),
            },
            { label: 'Robot id', value: (r) => <code>{r.robotId}</code> },
            { label: 'Status', value: (r) => <StatusBadge status={r.status} /> },
            { label: 'AI mode', value: 'aiMode' },
            { label: 'Device', value: (r) => deviceName(r.deviceInfo) },
            { label: 'Messages', value: (r) => r.totalMessages.toLocaleString(), class: 'num' },
            { label: 'Last active', value: (r) => <Time value={r.lastActiveAt} /> },
          ]}
        />
        <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} nouns={['robot', 'robots']} onPage={setPage} />
      </section>
    </Page>
  );
}
