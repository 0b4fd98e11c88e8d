// The knowledge base the builtin responder answers from: search it, filter by kind, page through it;
// owners and admins add and edit entries (a dialog), delete them (a confirm) and import CSV or JSON.
// Members see it read-only. The search, kind and page are in the URL, so a view can be linked.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, Time, t, tx, useApi, useQueryParam } from 'plinth/plugin/ui';
import { EntryDialog, KINDS, type Entry } from './knowledge-entry.js';
import { ImportDialog } from './knowledge-import.js';
import { Badge, BASE, ConfirmDialog, fieldStyle, Pager, pageNumber, PAGES, setFilter, useCanManage, withQuery, type List, type Reply } from './shared.js';

const PAGE_SIZE = 20;

function SearchForm(props: { value: string; kind: string }) {
  const [text, setText] = useState(props.value);
  const submit = (event: Event) => {
    event.preventDefault();
    setFilter('q', text.trim());
  };
  return (
    <form class="inline-form" role="search" onSubmit={submit}>
      <div class="grow">
        <label for="knowledge-search">{t('ai.knowledge.search')}</label>
        <input id="knowledge-search" type="search" maxLength={200} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <div>
        <label for="knowledge-kind">{t('ai.knowledge.kind')}</label>
        <select id="knowledge-kind" value={props.kind} onChange={(e) => setFilter('kind', e.currentTarget.value)} style={fieldStyle}>
          <option value="">{t('ai.knowledge.allKinds')}</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`ai.knowledge.kind.${k}`)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">{t('ai.knowledge.searchButton')}</button>
    </form>
  );
}

/** The answer, cut to its first 200 characters in the table (the whole text on hover). */
const Snippet = (props: { text: string }) => (
  <span title={props.text} style={{ whiteSpace: 'pre-line' }}>
    {props.text.length > 200 ? `${props.text.slice(0, 200)}…` : props.text}
  </span>
);

export function KnowledgePage() {
  const q = useQueryParam('q') ?? '';
  const kind = useQueryParam('kind') ?? '';
  const page = pageNumber(useQueryParam('page'));
  const canManage = useCanManage();
  const list = useApi<Reply<List<Entry>>>(withQuery(`${BASE}/ai/knowledge`, { page, pageSize: PAGE_SIZE, q, kind }));
  const [editing, setEditing] = useState<Entry | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Entry | null>(null);
  const [importing, setImporting] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const data = list.data?.data;
  const filtered = Boolean(q || kind);

  const remove = async (entry: Entry) => {
    await api(`${BASE}/ai/knowledge/${entry.id}`, { method: 'DELETE' });
    setNotice(t('ai.knowledge.deleted', { question: entry.question }));
    list.reload();
  };

  const columns = [
    { label: t('ai.knowledge.col.question'), value: (e: Entry) => <strong style={{ fontWeight: 600 }}>{e.question}</strong> },
    { label: t('ai.knowledge.col.answer'), value: (e: Entry) => <Snippet text={e.answer} /> },
    { label: t('ai.knowledge.col.keywords'), value: (e: Entry) => (e.keywords.length ? e.keywords.join(', ') : '—') },
    { label: t('ai.knowledge.col.kind'), value: (e: Entry) => t('ai.knowledge.kindCell', { kind: e.kind }) },
    { label: t('ai.knowledge.col.priority'), value: 'priority' as const, class: 'num' },
    { label: t('ai.knowledge.col.status'), value: (e: Entry) => <Badge value={e.enabled ? 'enabled' : 'disabled'} /> },
    { label: t('ai.knowledge.col.updated'), value: (e: Entry) => <Time value={e.updatedAt} /> },
  ];
  if (canManage)
    columns.push({
      label: t('ai.knowledge.col.actions'),
      value: (e: Entry) => (
        <div class="row-actions">
          <button type="button" class="secondary small" aria-label={t('ai.knowledge.editLabel', { question: e.question })} onClick={() => setEditing(e)}>
            {t('ai.edit')}
          </button>
          <button type="button" class="danger small" aria-label={t('ai.knowledge.deleteLabel', { question: e.question })} onClick={() => setDeleting(e)}>
            {t('ai.delete')}
          </button>
        </div>
      ),
    });

  return (
    <Page
      title={t('ai.knowledge.title')}
      actions={
        canManage ? (
          <>
            <button type="button" class="secondary" onClick={() => setImporting(true)}>
              {t('ai.knowledge.import')}
            </button>
            <button type="button" onClick={() => setEditing('new')}>
              {t('ai.knowledge.add')}
            </button>
          </>
        ) : null
      }
    >
      {editing ? (
        <EntryDialog
          entry={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(e) => {
            setNotice(t(editing === 'new' ? 'ai.knowledge.added' : 'ai.knowledge.saved', { question: e.question }));
            list.reload();
          }}
        />
      ) : null}
      {importing ? <ImportDialog onClose={() => setImporting(false)} onImported={list.reload} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={t('ai.knowledge.deleteTitle', { question: deleting.question })}
          action={t('ai.knowledge.deleteAction')}
          onConfirm={() => remove(deleting)}
          onClose={() => setDeleting(null)}
        >
          <p style={{ margin: '0 0 0.5rem' }}>{t('ai.knowledge.deleteBody')}</p>
        </ConfirmDialog>
      ) : null}
      <p class="muted" style={{ margin: '0 0 1rem' }}>
        {t('ai.knowledge.intro')}
        {canManage ? tx('ai.knowledge.introProviders', { link: (text: string) => <a href={PAGES.providers}>{text}</a> }) : null}
        {t('ai.knowledge.introEnd')}
        {canManage === false ? t('ai.knowledge.readOnly') : ''}
      </p>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <SearchForm key={q} value={q} kind={kind} />
      <ErrorBanner error={list.error} />
      <section class="card" aria-label={t('ai.knowledge.section')}>
        <Table
          rows={data?.list ?? []}
          rowKey={(e) => e.id}
          empty={
            !data
              ? list.error
                ? t('ai.notLoaded')
                : t('ai.loading')
              : filtered
                ? t('ai.knowledge.noMatch')
                : canManage
                  ? t('ai.knowledge.emptyManage')
                  : t('ai.knowledge.empty')
          }
          columns={columns}
        />
        <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} count={(count) => t('ai.knowledge.count', { count })} />
      </section>
    </Page>
  );
}
