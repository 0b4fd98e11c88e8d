// Activation codes (owners and admins): generate them, list them with their device and status, unbind
// a code's device (so another phone can activate) and disable a code, each after a confirm.
import { useState } from 'preact/hooks';
import { api, CopyText, ErrorBanner, Page, Table, Time, useApi } from '../../../core/ui/kit/index.js';
import { GenerateCodesDialog } from './generate-codes.js';
import { BASE, ConfirmDialog, fieldStyle, plural, StatusBadge, userLabel, type List, type Reply, type UserRow } from './shared.js';

/** One row of GET /api/admin/activation-codes. */
interface CodeRow {
  code: string;
  status: 'active' | 'revoked' | 'expired' | 'disabled';
  validUntil: string | null;
  price: number | null;
  userId: string | null;
  activeDevices: number;
  createdAt: string;
}

interface Unbound {
  deviceId: string;
  robotId: string | null;
}

const STATUSES = ['active', 'disabled', 'expired', 'revoked'];
const LIMIT = 200;

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
      <input id="unbind-reason" maxLength={500} placeholder="e.g. the customer changed phones" value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
    </ConfirmDialog>
  );
}

export function CodesPage() {
  const [status, setStatus] = useState('');
  const [generating, setGenerating] = useState(false);
  const [unbinding, setUnbinding] = useState<string | null>(null);
  const [disabling, setDisabling] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const list = useApi<Reply<List<CodeRow>>>(`${BASE}/admin/activation-codes?limit=${LIMIT}${status ? `&status=${status}` : ''}`);
  const users = useApi<Reply<List<UserRow>>>(`${BASE}/admin/users?pageSize=200`);
  const people = users.data?.data.list ?? [];
  const owner = (id: string | null) => {
    if (!id) return '—';
    const user = people.find((u) => u.userId === id);
    return user ? userLabel(user) : users.data ? id : '…';
  };
  const rows = list.data?.data.list ?? [];

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
            <select id="codes-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)} style={fieldStyle}>
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
          empty={!list.data ? 'Loading…' : status ? `No ${status} codes.` : 'No activation codes yet. Generate some to activate phones.'}
          columns={[
            { label: 'Code', value: (c) => <CopyText text={c.code} label={`activation code ${c.code}`} /> },
            { label: 'Status', value: (c) => <StatusBadge status={c.status} /> },
            { label: 'Device', value: (c) => (c.activeDevices ? 'in use' : 'free') },
            { label: 'Robots belong to', value: (c) => owner(c.userId) },
            { label: 'Valid until', value: (c) => <Time value={c.validUntil} /> },
            { label: 'Created', value: (c) => <Time value={c.createdAt} /> },
            {
              label: 'Actions',
              value: (c) => (
                <div class="row-actions">
                  {c.activeDevices ? (
                    <button type="button" class="secondary small" onClick={() => setUnbinding(c.code)}>
                      Unbind
                    </button>
                  ) : null}
                  {c.status === 'active' ? (
                    <button type="button" class="danger small" onClick={() => setDisabling(c.code)}>
                      Disable
                    </button>
                  ) : null}
                </div>
              ),
            },
          ]}
        />
        {list.data ? (
          <p class="muted" style={{ margin: '0.75rem 0 0', fontSize: '0.9rem' }}>
            {rows.length >= LIMIT ? `Showing the newest ${LIMIT}.` : `${plural(rows.length, 'code', 'codes')}.`}
          </p>
        ) : null}
      </section>
    </Page>
  );
}
