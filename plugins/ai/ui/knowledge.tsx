// The knowledge base the builtin responder answers from: search it, filter by kind, page through it;
// owners and admins add and edit entries (a dialog), delete them (a confirm) and import CSV or JSON.
// Members see it read-only. The search, kind and page are in the URL, so a view can be linked.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, Time, useApi, useQueryParam } from 'plinth/plugin/ui';
import { EntryDialog, KIND_LABEL, type Entry, type Kind } from './knowledge-entry.js';
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
        <label for="knowledge-search">Search questions, answers and keywords</label>
        <input id="knowledge-search" type="search" maxLength={200} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <div>
        <label for="knowledge-kind">Kind</label>
        <select id="knowledge-kind" value={props.kind} onChange={(e) => setFilter('kind', e.currentTarget.value)} style={fieldStyle}>
          <option value="">All kinds</option>
          {(Object.keys(KIND_LABEL) as Kind[]).map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k]}
            </option>
          ))}
        </select>
      </div>
      <button type="submit">Search</button>
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
    setNotice(`Deleted “${entry.question}”.`);
    list.reload();
  };

  const columns = [
    { label: 'Question', value: (e: Entry) => <strong style={{ fontWeight: 600 }}>{e.question}</strong> },
    { label: 'Answer', value: (e: Entry) => <Snippet text={e.answer} /> },
    { label: 'Keywords', value: (e: Entry) => (e.keywords.length ? e.keywords.join(', ') : '—') },
    { label: 'Kind', value: (e: Entry) => (e.kind === 'keyword' ? 'keyword rule' : 'Q&A') },
    { label: 'Priority', value: 'priority' as const, class: 'num' },
    { label: 'Status', value: (e: Entry) => <Badge value={e.enabled ? 'enabled' : 'disabled'} /> },
    { label: 'Updated', value: (e: Entry) => <Time value={e.updatedAt} /> },
  ];
  if (canManage)
    columns.push({
      label: 'Actions',
      value: (e: Entry) => (
        <div class="row-actions">
          <button type="button" class="secondary small" aria-label={`Edit “${e.question}”`} onClick={() => setEditing(e)}>
            Edit
          </button>
          <button type="button" class="danger small" aria-label={`Delete “${e.question}”`} onClick={() => setDeleting(e)}>
            Delete
          </button>
        </div>
      ),
    });

  return (
    <Page
      title="AI knowledge base"
      actions={
        canManage ? (
          <>
            <button type="button" class="secondary" onClick={() => setImporting(true)}>
              Import
            </button>
            <button type="button" onClick={() => setEditing('new')}>
              Add entry
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
            setNotice(editing === 'new' ? `Added “${e.question}”.` : `Saved “${e.question}”.`);
            list.reload();
          }}
        />
      ) : null}
      {importing ? <ImportDialog onClose={() => setImporting(false)} onImported={list.reload} /> : null}
      {deleting ? (
        <ConfirmDialog title={`Delete “${deleting.question}”?`} action="Delete entry" onConfirm={() => remove(deleting)} onClose={() => setDeleting(null)}>
          <p style={{ margin: '0 0 0.5rem' }}>The builtin responder stops using it at once. This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
      <p class="muted" style={{ margin: '0 0 1rem' }}>
        The builtin responder answers from these entries: keyword rules first, then the question that matches a message best, else the fallback answer
        {canManage ? (
          <>
            {' '}
            (on <a href={PAGES.providers}>AI providers</a>)
          </>
        ) : null}
        . It ends every provider chain, so robots always reply.{canManage === false ? ' Only owners and admins can change it.' : ''}
      </p>
      {notice ? (
        <p class="notice" role="status">
          {notice}
        </p>
      ) : null}
      <SearchForm key={q} value={q} kind={kind} />
      <ErrorBanner error={list.error} />
      <section class="card" aria-label="Knowledge entries">
        <Table
          rows={data?.list ?? []}
          rowKey={(e) => e.id}
          empty={
            !data
              ? list.error
                ? 'Not loaded.'
                : 'Loading…'
              : filtered
                ? 'No entries match.'
                : canManage
                  ? 'No entries yet. Add one, or import a CSV or JSON file.'
                  : 'No entries yet.'
          }
          columns={columns}
        />
        <Pager total={data?.total} page={page} pageSize={PAGE_SIZE} nouns={['entry', 'entries']} />
      </section>
    </Page>
  );
}
