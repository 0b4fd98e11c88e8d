// The messages a robot's phone reported (GET /api/robots/{robotId}/messages), newest first, fetched
// again every 10 s (the command log takes most of the per-user request budget).
import { useState } from 'preact/hooks';
import { ErrorBanner, Table, Time, t } from 'plinth/plugin/ui';
import { BASE, Pager, useLiveApi, withQuery, type List, type Reply } from './shared.js';

/** One row of GET /api/robots/{robotId}/messages. */
interface MessageRow {
  messageId: string;
  spoken: string;
  receivedName: string | null;
  groupName: string | null;
  atMe: boolean;
  roomType: number | null;
  hasFile: boolean;
  timestamp: string | null;
  createdAt: string;
}

const PAGE_SIZE = 20;
const EVERY_MS = 15_000;

function Spoken(props: { message: MessageRow }) {
  const m = props.message;
  return (
    <span>
      {m.atMe ? <span class="badge badge-warn">{t('robots.messages.atMe')}</span> : null} {m.spoken}
      {m.hasFile ? (
        <>
          {' '}
          <span class="badge">{t('robots.messages.file')}</span>
        </>
      ) : null}
    </span>
  );
}

export function MessageList(props: { robotId: string }) {
  const [page, setPage] = useState(1);
  const messages = useLiveApi<Reply<List<MessageRow>>>(
    withQuery(`${BASE}/robots/${encodeURIComponent(props.robotId)}/messages`, { page, pageSize: PAGE_SIZE }),
    EVERY_MS,
  );
  const data = messages.data?.data;
  return (
    <section class="card" aria-labelledby="messages-title">
      <h2 id="messages-title">{t('robots.messages.title')}</h2>
      <ErrorBanner error={messages.error} />
      <Table
        rows={data?.list ?? []}
        rowKey={(m) => m.messageId}
        caption={t('robots.messages.caption')}
        empty={!data ? t('robots.messages.loading') : t('robots.messages.empty')}
        columns={[
          { label: t('robots.messages.col.received'), value: (m) => <Time value={m.timestamp ?? m.createdAt} /> },
          { label: t('robots.messages.col.from'), value: (m) => m.receivedName ?? '—' },
          { label: t('robots.messages.col.group'), value: (m) => m.groupName ?? '—' },
          { label: t('robots.messages.col.message'), value: (m) => <Spoken message={m} /> },
        ]}
      />
      <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} count={(count) => t('robots.messages.count', { count })} onPage={setPage} />
    </section>
  );
}
