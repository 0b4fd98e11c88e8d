// Activation codes (WorkBot admins: superadmins and the home tenant's owners and admins): generate them, list them a page at a time with their status,
// device and user, unbind a code's device (so another phone can activate) and disable a code, each
// after a confirm.
import { useEffect, useState } from 'preact/hooks';
import { api, CopyText, ErrorBanner, formatNumber, Page, Table, Time, t, tx, useApi } from 'plinth/plugin/ui';
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

const deviceLabel = (d: NonNullable<CodeRow['deviceInfo']>) => [d.brand, d.model].filter(Boolean).join(' ') || d.deviceId || t('robots.codes.aDevice');
const userOf = (u: CodeRow['boundUser']) => (u ? [u.nickname ?? u.userId, u.phone !== u.nickname ? u.phone : null].filter(Boolean).join(' · ') : '—');
const money = (price: number | null) =>
  price === null ? '—' : formatNumber(price, { minimumFractionDigits: 2, maximumFractionDigits: 2, useGrouping: false });

function UnbindDialog(props: { code: string; onClose(): void; onUnbound(result: Unbound): void }) {
  const [reason, setReason] = useState('');
  const unbind = async () => {
    const reply = await api<Reply<Unbound>>(`${BASE}/admin/unbind-device`, { body: { code: props.code, ...(reason.trim() ? { reason: reason.trim() } : {}) } });
    props.onUnbound(reply.data);
  };
  return (
    <ConfirmDialog
      title={t('robots.codes.unbindTitle', { code: props.code })}
      action={t('robots.codes.unbindAction')}
      onConfirm={unbind}
      onClose={props.onClose}
    >
      <p style={{ margin: '0 0 0.5rem' }}>{t('robots.codes.unbindBody')}</p>
      <label for="unbind-reason">{t('robots.codes.unbindReason')}</label>
      <input
        id="unbind-reason"
        maxLength={500}
        placeholder={t('robots.codes.unbindPlaceholder')}
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
    setNotice(t('robots.codes.disabled', { code }));
    list.reload();
  };

  return (
    <Page
      title={t('robots.codes.title')}
      actions={
        <button type="button" onClick={() => setGenerating(true)}>
          {t('robots.codes.generate')}
        </button>
      }
    >
      {generating ? <GenerateCodesDialog users={people} onClose={() => setGenerating(false)} onGenerated={list.reload} /> : null}
      {unbinding ? (
        <UnbindDialog
          code={unbinding}
          onClose={() => setUnbinding(null)}
          onUnbound={(r) => {
            setNotice(t('robots.codes.unbound', { deviceId: r.deviceId, code: unbinding, robot: r.robotId ?? 'none' }));
            list.reload();
          }}
        />
      ) : null}
      {disabling ? (
        <ConfirmDialog
          title={t('robots.codes.disableTitle', { code: disabling })}
          action={t('robots.codes.disableAction')}
          onConfirm={() => disable(disabling)}
          onClose={() => setDisabling(null)}
        >
          <p style={{ margin: '0 0 0.5rem' }}>{tx('robots.codes.disableBody', { b: (text: string) => <strong>{text}</strong> })}</p>
        </ConfirmDialog>
      ) : null}
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <section class="card" aria-labelledby="codes-title">
        <h2 id="codes-title">{t('robots.codes.section')}</h2>
        <div class="inline-form" role="group" aria-label={t('robots.filters')}>
          <div>
            <label for="codes-status">{t('robots.codes.status')}</label>
            <select id="codes-status" value={status} onChange={(e) => filter(e.currentTarget.value)} style={fieldStyle}>
              <option value="">{t('robots.codes.allStatuses')}</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t('robots.status', { status: s, label: s })}
                </option>
              ))}
            </select>
          </div>
          <div class="grow" />
          <button type="button" class="secondary" onClick={list.reload}>
            {t('robots.refresh')}
          </button>
        </div>
        <ErrorBanner error={list.error ?? users.error} />
        <Table
          rows={rows}
          rowKey={(c) => c.code}
          empty={
            !data
              ? t('robots.loading')
              : status
                ? t('robots.codes.emptyStatus', { status: t('robots.status', { status, label: status }) })
                : t('robots.codes.empty')
          }
          columns={[
            { label: t('robots.codes.col.code'), value: (c) => <CopyText text={c.code} label={t('robots.codes.codeLabel', { code: c.code })} /> },
            { label: t('robots.codes.col.status'), value: (c) => <StatusBadge status={c.status} /> },
            {
              label: t('robots.codes.col.device'),
              value: (c) => (c.deviceInfo ? <span title={c.deviceInfo.deviceId ?? undefined}>{deviceLabel(c.deviceInfo)}</span> : t('robots.codes.free')),
            },
            { label: t('robots.codes.col.owner'), value: (c) => userOf(c.boundUser) },
            {
              label: t('robots.codes.col.days'),
              value: (c) => (c.validityPeriod === null ? t('robots.codes.lifetime') : formatNumber(c.validityPeriod)),
              class: 'num',
            },
            { label: t('robots.codes.col.price'), value: (c) => money(c.price), class: 'num' },
            { label: t('robots.codes.col.validUntil'), value: (c) => <Time value={c.validUntil} /> },
            { label: t('robots.codes.col.firstActivated'), value: (c) => <Time value={c.firstActivatedAt} /> },
            { label: t('robots.codes.col.created'), value: (c) => <Time value={c.createdAt} /> },
            {
              label: t('robots.codes.col.actions'),
              value: (c) => (
                <div class="row-actions">
                  {c.deviceInfo ? (
                    <button type="button" class="secondary small" onClick={() => setUnbinding(c.code)}>
                      {t('robots.codes.unbind')}
                    </button>
                  ) : null}
                  {c.status === 'unused' || c.status === 'used' ? (
                    <button type="button" class="danger small" onClick={() => setDisabling(c.code)}>
                      {t('robots.codes.disable')}
                    </button>
                  ) : null}
                </div>
              ),
            },
          ]}
        />
        <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} count={(count) => t('robots.codes.count', { count })} onPage={setPage} />
      </section>
    </Page>
  );
}
