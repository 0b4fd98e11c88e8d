// Add or edit one knowledge-base entry in a dialog: a question and its answer (found by searching the
// question and keywords), or a keyword rule (answers whenever a message contains one of its keywords).
import { useState } from 'preact/hooks';
import { api, Dialog, ErrorBanner, t } from 'plinth/plugin/ui';
import { BASE, fieldStyle, splitList, useAction, type Reply } from './shared.js';

export type Kind = 'faq' | 'keyword';

/** One entry of GET /api/ai/knowledge. */
export interface Entry {
  id: number;
  kind: Kind;
  question: string;
  answer: string;
  keywords: string[];
  priority: number;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The kinds, in the order the pickers offer them (their names: ai.knowledge.kind.<kind>). */
export const KINDS: Kind[] = ['faq', 'keyword'];

/** `entry` null: a new entry. */
export function EntryDialog(props: { entry: Entry | null; onClose(): void; onSaved(entry: Entry): void }) {
  const { entry } = props;
  const [kind, setKind] = useState<Kind>(entry?.kind ?? 'faq');
  const [question, setQuestion] = useState(entry?.question ?? '');
  const [answer, setAnswer] = useState(entry?.answer ?? '');
  const [keywords, setKeywords] = useState(entry?.keywords.join(', ') ?? '');
  const [priority, setPriority] = useState(String(entry?.priority ?? 0));
  const [enabled, setEnabled] = useState(entry?.enabled ?? true);
  const { error, setError, busy, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    const words = splitList(keywords);
    if (!question.trim()) return setError(new Error(t('ai.entry.missingQuestion', { kind })));
    if (!answer.trim()) return setError(new Error(t('ai.entry.missingAnswer')));
    if (kind === 'keyword' && !words.length) return setError(new Error(t('ai.entry.missingKeyword')));
    void run(async () => {
      const body = { kind, question: question.trim(), answer: answer.trim(), keywords: words, priority: Number(priority) || 0, enabled };
      const reply = entry
        ? await api<Reply<Entry>>(`${BASE}/ai/knowledge/${entry.id}`, { method: 'PUT', body })
        : await api<Reply<Entry>>(`${BASE}/ai/knowledge`, { body });
      props.onSaved(reply.data);
      props.onClose();
    });
  };

  return (
    <Dialog title={entry ? t('ai.entry.editTitle') : t('ai.entry.addTitle')} onClose={props.onClose}>
      <form onSubmit={submit} noValidate>
        <ErrorBanner error={error} />
        <label for="entry-kind">{t('ai.entry.kind')}</label>
        <select id="entry-kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)} style={fieldStyle} aria-describedby="entry-kind-hint">
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {t(`ai.knowledge.kind.${k}`)}
            </option>
          ))}
        </select>
        <span id="entry-kind-hint" class="muted" style={{ fontSize: '0.85rem' }}>
          {t(`ai.entry.hint.${kind}`)}
        </span>
        <label for="entry-question">{t('ai.entry.question', { kind })}</label>
        <input id="entry-question" autoFocus autoComplete="off" maxLength={500} value={question} onInput={(e) => setQuestion(e.currentTarget.value)} />
        <label for="entry-answer">{t('ai.entry.answer')}</label>
        <textarea
          id="entry-answer"
          rows={4}
          maxLength={5000}
          value={answer}
          onInput={(e) => setAnswer(e.currentTarget.value)}
          style={{ ...fieldStyle, resize: 'vertical' }}
        />
        <div class="form-row">
          <div style={{ flex: 3 }}>
            <label for="entry-keywords">{t('ai.entry.keywords')}</label>
            <input
              id="entry-keywords"
              autoComplete="off"
              maxLength={2000}
              placeholder={t('ai.entry.keywordsPlaceholder')}
              value={keywords}
              onInput={(e) => setKeywords(e.currentTarget.value)}
            />
          </div>
          <div>
            <label for="entry-priority">{t('ai.entry.priority')}</label>
            <input
              id="entry-priority"
              type="number"
              step={1}
              min={-1000000}
              max={1000000}
              value={priority}
              onInput={(e) => setPriority(e.currentTarget.value)}
            />
          </div>
        </div>
        <div class="checks">
          <label>
            <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.currentTarget.checked)} />
            <span>{t('ai.entry.enabled')}</span>
          </label>
        </div>
        <div class="form-actions">
          <button type="submit" disabled={busy}>
            {busy ? t('ai.saving') : entry ? t('ai.entry.save') : t('ai.entry.add')}
          </button>
          <button type="button" class="secondary" onClick={props.onClose}>
            {t('ai.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
