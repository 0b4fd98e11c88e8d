// A robot's command log (GET /api/robots/{robotId}/commands), newest first, fetched again every 2 s so
// a command's status (pending → sent → succeeded / failed) changes on screen as the robot works.
import { useEffect, useState } from 'preact/hooks';
import { ErrorBanner, Table, Time, t } from 'plinth/plugin/ui';
import { BASE, fieldStyle, Pager, StatusBadge, useLiveApi, withQuery, type CommandStatus, type List, type Reply } from './shared.js';

/** One row of GET /api/robots/{robotId}/commands. */
interface CommandRow {
  commandId: string;
  commandType: string;
  commandParams: { type?: string; titleList?: string[]; content?: string; atList?: string[]; fileUrl?: string };
  status: CommandStatus;
  result: { errorCode: number; errorReason?: string; executionTimeMs?: number; failList?: string[] } | null;
  createdBy: string | null;
  createdAt: string;
  sentAt: string | null;
  completedAt: string | null;
  expiresAt: string;
}

const PAGE_SIZE = 20;
const EVERY_MS = 3000;
const STATUSES: CommandStatus[] = ['pending', 'sent', 'succeeded', 'failed', 'expired', 'awaiting_approval', 'rejected'];

/** What the robot said it did: "ok in 25 ms", or its error code and reason. */
function Outcome(props: { result: CommandRow['result'] }) {
  const r = props.result;
  if (!r) return <span>—</span>;
  if (r.errorCode === 0) return <span>{r.executionTimeMs !== undefined ? t('robots.commands.okIn', { ms: r.executionTimeMs }) : t('robots.commands.ok')}</span>;
  return (
    <span class="error-text">
      {r.errorReason ? t('robots.commands.errorReason', { code: r.errorCode, reason: r.errorReason }) : t('robots.commands.error', { code: r.errorCode })}
      {r.failList?.length ? t('robots.commands.notSentTo', { names: r.failList.join(', ') }) : ''}
    </span>
  );
}

const contentOf = (c: CommandRow) => {
  const p = c.commandParams;
  if (c.commandType !== 'send_message') return <code>{c.commandType}</code>;
  const mentions = p.atList?.length ? ` (@${p.atList.join(', @')})` : '';
  return p.type === 'text' ? `${p.content ?? ''}${mentions}` : `${p.type}: ${p.fileUrl ?? ''}`;
};

/** `refreshKey` changes when the page sent a command, to show it at once. */
export function CommandLog(props: { robotId: string; refreshKey: number }) {
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const log = useLiveApi<Reply<List<CommandRow>>>(
    withQuery(`${BASE}/robots/${encodeURIComponent(props.robotId)}/commands`, { page, pageSize: PAGE_SIZE, status }),
    EVERY_MS,
  );
  const { reload } = log;
  useEffect(() => {
    if (props.refreshKey) reload();
  }, [props.refreshKey, reload]);
  const data = log.data?.data;
  const choose = (next: string) => {
    setStatus(next);
    setPage(1);
  };

  return (
    <section class="card" aria-labelledby="commands-title">
      <h2 id="commands-title">{t('robots.commands.title')}</h2>
      <div class="inline-form" role="group" aria-label={t('robots.commands.filters')}>
        <div>
          <label for="commands-status">{t('robots.commands.status')}</label>
          <select id="commands-status" value={status} onChange={(e) => choose(e.currentTarget.value)} style={fieldStyle}>
            <option value="">{t('robots.commands.allStatuses')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {t('robots.status', { status: s, label: s })}
              </option>
            ))}
          </select>
        </div>
      </div>
      <ErrorBanner error={log.error} />
      <Table
        rows={data?.list ?? []}
        rowKey={(c) => c.commandId}
        caption={t('robots.commands.caption')}
        empty={
          !data
            ? t('robots.commands.loading')
            : status
              ? t('robots.commands.emptyStatus', { status: t('robots.status', { status, label: status }) })
              : t('robots.commands.empty')
        }
        columns={[
          { label: t('robots.commands.col.created'), value: (c) => <Time value={c.createdAt} /> },
          { label: t('robots.commands.col.to'), value: (c) => c.commandParams.titleList?.join(', ') || '—' },
          { label: t('robots.commands.col.content'), value: contentOf },
          { label: t('robots.commands.col.status'), value: (c) => <StatusBadge status={c.status} /> },
          { label: t('robots.commands.col.sent'), value: (c) => <Time value={c.sentAt} /> },
          { label: t('robots.commands.col.completed'), value: (c) => <Time value={c.completedAt} /> },
          { label: t('robots.commands.col.result'), value: (c) => <Outcome result={c.result} /> },
        ]}
      />
      <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} count={(count) => t('robots.commands.count', { count })} onPage={setPage} />
    </section>
  );
}
