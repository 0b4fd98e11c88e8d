// Import knowledge entries from CSV or JSON, pasted or from a file (POST /api/ai/knowledge/import):
// the count imported and, per row that was refused, why.
import { useState } from 'preact/hooks';
import { api, Dialog, ErrorBanner, Table } from 'plinth/plugin/ui';
import { BASE, fieldStyle, plural, useAction, type Reply } from './shared.js';

type Format = 'csv' | 'json';

/** What the import answers: how many were added, and each row it refused (`row` counts entries from 1; `line`: where a CSV record starts). */
export interface ImportResult {
  imported: number;
  failed: number;
  errors: Array<{ row: number; line?: number; message: string }>;
}

/** The most the server imports at once (plugins/ai/services/knowledge-import.ts). */
const MAX_BYTES = 2 * 1024 * 1024;

const EXAMPLE: Record<Format, string> = {
  csv: 'question,answer,keywords,kind,priority,enabled\n"What are your opening hours?","We are open 9:00–18:00.","hours, open",faq,0,true',
  json: '[{ "question": "What are your opening hours?", "answer": "We are open 9:00–18:00.", "keywords": ["hours", "open"] }]',
};

const formatOf = (fileName: string): Format | null => (/\.json$/i.test(fileName) ? 'json' : /\.(csv|txt)$/i.test(fileName) ? 'csv' : null);

export function ImportDialog(props: { onClose(): void; onImported(): void }) {
  const [format, setFormat] = useState<Format>('csv');
  const [content, setContent] = useState('');
  const [result, setResult] = useState<ImportResult | null>(null);
  const { error, setError, busy, run } = useAction();

  const pick = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    setResult(null);
    if (file.size > MAX_BYTES) return setError(new Error(`${file.name} is larger than 2 MB: split it into several imports.`));
    setFormat(formatOf(file.name) ?? format);
    setContent(await file.text());
    setError(null);
  };

  const submit = (event: Event) => {
    event.preventDefault();
    setResult(null);
    if (!content.trim()) return setError(new Error('Paste the entries or choose a file first.'));
    void run(async () => {
      const reply = await api<Reply<ImportResult>>(`${BASE}/ai/knowledge/import`, { body: { format, content } });
      setResult(reply.data);
      if (reply.data.imported) {
        setContent(''); // importing the same text again would add its entries twice
        props.onImported();
      }
    });
  };

  return (
    <Dialog title="Import knowledge entries" onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        {result ? (
          <>
            <p class="notice" role="status">
              Imported {plural(result.imported, 'entry', 'entries')}
              {result.errors.length ? `; ${plural(result.errors.length, 'row was', 'rows were')} not imported` : ''}.
            </p>
            {result.errors.length ? (
              <Table
                caption="Rows not imported"
                rows={result.errors}
                rowKey={(e, i) => `${e.row}-${i}`}
                columns={[
                  { label: 'Entry', value: 'row', class: 'num' },
                  ...(result.errors.some((e) => e.line) ? [{ label: 'Line', value: 'line' as const, class: 'num' }] : []),
                  { label: 'Why', value: (e) => <span class="error-text">{e.message}</span> },
                ]}
              />
            ) : null}
          </>
        ) : null}
        <div class="form-row">
          <div>
            <label for="import-format">Format</label>
            <select id="import-format" value={format} onChange={(e) => setFormat(e.currentTarget.value as Format)} style={fieldStyle}>
              <option value="csv">CSV</option>
              <option value="json">JSON</option>
            </select>
          </div>
          <div>
            <label for="import-file">Or choose a file</label>
            <input id="import-file" type="file" accept=".csv,.json,.txt,text/csv,application/json,text/plain" onChange={(e) => void pick(e.currentTarget)} />
          </div>
        </div>
        <label for="import-content">Entries</label>
        <textarea
          id="import-content"
          rows={8}
          spellcheck={false}
          placeholder={EXAMPLE[format]}
          value={content}
          onInput={(e) => setContent(e.currentTarget.value)}
          style={{ ...fieldStyle, resize: 'vertical', fontFamily: 'ui-monospace, SFMono-Regular, Menlo, monospace', fontSize: '0.85rem' }}
        />
        <span class="muted" style={{ fontSize: '0.85rem' }}>
          CSV: a header row naming the columns, then one entry per row. JSON: an array of entries. Fields: question, answer, keywords (separated by | or commas
          in CSV, a list in JSON), kind (faq or keyword), priority, enabled; only question and answer are required.
        </span>
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? 'Importing…' : 'Import'}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            {result ? 'Done' : 'Cancel'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
