// Activation codes (WorkBot admins: superadmins and the home tenant's owners and admins): generate them, list them a page at a time with their status,
// device and user, unbind a code's device (so another phone can activate) and disable a code, each
// after a confirm.
import { useEffect, useState } from 'preact/hooks';
import { api, CopyText, ErrorBanner, Page, Table, Time, useApi } from 'plinth/plugin/ui';
import { GenerateCodesDialog } from './generate-codes.js';
import { BASE, ConfirmDialog, fieldStyle, Pager, StatusBadge, withQuery, type List, type Reply, type UserRow } from './shared.js';

/** One row of GET /api/admin/activation-codes (seed 6.2; validUntil and createdAt beside it). */
interface CodeRow {
  code: string;
  status: 'unused' | 'used' | 'disabled' | 'expired';
  /** Days; null: never expires. */
  validityPeriod: number | null;
  /** Currency units. */
  price: number | null;
  boundUser: { userId: number; nickname: string | null; phone: string | null } | null;
  /** The device bound now (none after an unbind). */
  deviceInfo: { deviceId: string | null; brand: string | null; model: string | null } | null;
  firstActivatedAt: string | null;
  validUntil: string | null;
  createdAt: string;
}

interface Unbound {
  deviceId: string;
  robotId: string | null;
}

const STATUSES = ['unused', 'used', 'disabled', 'expired'];
const PAGE_SIZE = 20;

const deviceLabel = (d: NonNullable<CodeRow['deviceInfo']>) => [d.brand, d.model].filter(Boolean).join(' ') || d.deviceId || 'a device';
const userOf = (u: CodeRow['boundUser']) => (u ? [u.nickname ?? u.userId, u.phone !== u.nickname ? u.phone : null].filter(Boolean).join(' · ') : '—');
const money = (price: number | null) => (price === null ? '—' : price.toFixed(2));

function UnbindDialog(props: { code: string; onClose(): void; onUnbound(result: Unbound): void }) {
  const [reason, setReason] = useState('');
  const unbind = async () => {
    const reply = await api<Reply<Unbound>>(`${BASE}/admin/unbind-device`, { body: { code: props.code, ...(reason.trim() ? { reason: reason.trim() } : {}) } });
    props.onUnbound(reply.data);
  };
  return (
    <ConfirmDialog title={`Unbind the device of ${props.code}?`} action="Unbind device" onConfirm={unbind} onClose={props.onClose}>
      <p style={{ margin: '0 0 0.5rem' }}>The phone using this code is signed out at once; the code can then activate another phone.</p>
      <label for="unbind-reason">Reason (optional)</label>
      <input
        id="unbind-reason"
        maxLength={500}
        placeholder="e.g. the customer changed phones"
        value={reason}
        onInput={(e) => setReason(e.currentTarget.value)}
      />
    </ConfirmDialog>
  );
}

export function CodesPage() {
  const [status, setStatus] = useState('');
  const [generating, setGenerating] = useState(false);
  const [unbinding, setUnbinding] = useState<string | null>(null);
  const [disabling, setDisabling] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [page, setPage] = useState(1);
  const list = useApi<Reply<List<CodeRow>>>(withQuery(`${BASE}/admin/activation-codes`, { page, pageSize: PAGE_SIZE, status }));
  // For the generate dialog's "Robots belong to" picker.
  const users = useApi<Reply<List<UserRow>>>(`${BASE}/admin/users?pageSize=200`);
  const people = users.data?.data.list ?? [];
  const data = list.data?.data;
  const rows = data?.list ?? [];
  const filter = (value: string) => {
    setStatus(value);
    setPage(1);
  };
  // A page emptied by a change (a filter, a disable) goes back to the last page that has rows.
  useEffect(() => {
    if (data && !data.list.length && page > 1) setPage(Math.max(1, Math.ceil(data.total / PAGE_SIZE)));
  }, [data, page]);

  const disable = async (code: string) => {
    await api(`${BASE}/admin/activation-codes/${encodeURIComponent(code)}/disable`, { method: 'POST' });
    setNotice(`Disabled ${code}. It cannot activate a phone again, and the phone using it is signed out.`);
    list.reload();
  };

  return (
    <Page
      title="Activation codes"
      actions={
        <button type="button" onClick={() => setGenerating(true)}>
          Generate codes
        </button>
      }
    >
      {generating ? <GenerateCodesDialog users={people} onClose={() => setGenerating(false)} onGenerated={list.reload} /> : null}
      {unbinding ? (
        <UnbindDialog
          code={unbinding}
          onClose={() => setUnbinding(null)}
          onUnbound={(r) => {
            setNotice(`Unbound device ${r.deviceId} from ${unbinding}${r.robotId ? ` (robot ${r.robotId})` : ''}. The code can activate another phone.`);
            list.reload();
          }}
        />
      ) : null}
      {disabling ? (
        <ConfirmDialog title={`Disable ${disabling}?`} action="Disable code" onConfirm={() => disable(disabling)} onClose={() => setDisabling(null)}>
          <p style={{ margin: '0 0 0.5rem' }}>
            A disabled code never activates a phone again, and the robot using it stops working at once. <strong>This cannot be undone.</strong>
          </p>
        </ConfirmDialog>
      ) : null}
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <section class="card" aria-labelledby="codes-title">
        <h2 id="codes-title">Codes</h2>
        <div class="inline-form" role="group" aria-label="Filters">
          <div>
            <label for="codes-status">Status</label>
            <select id="codes-status" value={status} onChange={(e) => filter(e.currentTarget.value)} style={fieldStyle}>
              <option value="">All statuses</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div class="grow" />
          <button type="button" class="secondary" onClick={list.reload}>
            Refresh
          </button>
        </div>
        <ErrorBanner error={list.error ?? users.error} />
        <Table
          rows={rows}
          rowKey={(c) => c.code}
          empty={!data ? 'Loading…' : status ? `No ${status} codes.` : 'No activation codes yet. Generate some to activate phones.'}
          columns={[
            { label: 'Code', value: (c) => <CopyText text={c.code} label={`activation code ${c.code}`} /> },
            { label: 'Status', value: (c) => <StatusBadge status={c.status} /> },
            { label: 'Device', value: (c) => (c.deviceInfo ? <span title={c.deviceInfo.deviceId ?? undefined}>{deviceLabel(c.deviceInfo)}</span> : 'free') },
            { label: 'Robots belong to', value: (c) => userOf(c.boundUser) },
            { label: 'Days', value: (c) => (c.validityPeriod === null ? 'lifetime' : c.validityPeriod.toLocaleString()), class: 'num' },
            { label: 'Price', value: (c) => money(c.price), class: 'num' },
            { label: 'Valid until', value: (c) => <Time value={c.validUntil} /> },
            { label: 'First activated', value: (c) => <Time value={c.firstActivatedAt} /> },
            { label: 'Created', value: (c) => <Time value={c.createdAt} /> },
            {
              label: 'Actions',
              value: (c) => (
                <div class="row-actions">
                  {c.deviceInfo ? (
                    <button type="button" class="secondary small" onClick={() => setUnbinding(c.code)}>
                      Unbind
                    </button>
                  ) : null}
                  {c.status === 'unused' || c.status === 'used' ? (
                    <button type="button" class="danger small" onClick={() => setDisabling(c.code)}>
                      Disable
                    </button>
                  ) : null}
                </div>
              ),
            },
          ]}
        />
        <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} nouns={['code', 'codes']} onPage={setPage} />
      </section>
    </Page>
  );
}
