// Import knowledge entries from CSV or JSON, pasted or from a file (POST /api/ai/knowledge/import):
// the count imported and, per row that was refused, why.
import { useState } from 'preact/hooks';
import { api, Dialog, ErrorBanner, Table, t } from 'plinth/plugin/ui';
import { BASE, fieldStyle, useAction, type Reply } from './shared.js';

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
    if (file.size > MAX_BYTES) return setError(new Error(t('ai.import.tooLarge', { name: file.name })));
    setFormat(formatOf(file.name) ?? format);
    setContent(await file.text());
    setError(null);
  };

  const submit = (event: Event) => {
    event.preventDefault();
    setResult(null);
    if (!content.trim()) return setError(new Error(t('ai.import.missing')));
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
    <Dialog title={t('ai.import.title')} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        {result ? (
          <>
            <p class="notice" role="status">
              {t('ai.import.result', { imported: result.imported, failed: result.errors.length })}
            </p>
            {result.errors.length ? (
              <Table
                caption={t('ai.import.failedRows')}
                rows={result.errors}
                rowKey={(e, i) => `${e.row}-${i}`}
                columns={[
                  { label: t('ai.import.col.entry'), value: 'row', class: 'num' },
                  ...(result.errors.some((e) => e.line) ? [{ label: t('ai.import.col.line'), value: 'line' as const, class: 'num' }] : []),
                  { label: t('ai.import.col.why'), value: (e) => <span class="error-text">{e.message}</span> },
                ]}
              />
            ) : null}
          </>
        ) : null}
        <div class="form-row">
          <div>
            <label for="import-format">{t('ai.import.format')}</label>
            <select id="import-format" value={format} onChange={(e) => setFormat(e.currentTarget.value as Format)} style={fieldStyle}>
              <option value="csv">CSV</option>
              <option value="json">JSON</option>
            </select>
          </div>
          <div>
            <label for="import-file">{t('ai.import.file')}</label>
            <input id="import-file" type="file" accept=".csv,.json,.txt,text/csv,application/json,text/plain" onChange={(e) => void pick(e.currentTarget)} />
          </div>
        </div>
        <label for="import-content">{t('ai.import.entries')}</label>
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
          {t('ai.import.help')}
        </span>
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? t('ai.import.importing') : t('ai.import.submit')}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            {result ? t('ai.import.done') : t('ai.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
