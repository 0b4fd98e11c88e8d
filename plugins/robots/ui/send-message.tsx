// "Send a message": the robot sends a text to the named contacts or groups (POST /api/robot/send-message).
// The command is queued and pushed to the phone; its status then shows in the command log below.
import { useState } from 'preact/hooks';
import { api, ErrorBanner, t, tx } from 'plinth/plugin/ui';
import { BASE, fieldStyle, names, StatusBadge, useAction, type Reply } from './shared.js';

interface Queued {
  commandId: string;
  status: string;
}

export function SendMessageForm(props: { robotId: string; onSent(): void }) {
  const [to, setTo] = useState('');
  const [content, setContent] = useState('');
  const [mentions, setMentions] = useState('');
  const [queued, setQueued] = useState<(Queued & { message: string }) | null>(null);
  const { error, setError, busy, run } = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    setQueued(null);
    const titleList = names(to);
    if (!titleList.length) return setError(new Error(t('robots.send.needTo')));
    if (!content.trim()) return setError(new Error(t('robots.send.needContent')));
    void run(async () => {
      const body = { robotId: props.robotId, type: 'text', titleList, content, atList: names(mentions) };
      const reply = await api<Reply<Queued>>(`${BASE}/robot/send-message`, { body });
      setQueued({ ...reply.data, message: reply.message });
      setContent('');
      props.onSent();
    });
  };

  return (
    <form class="card" onSubmit={submit} noValidate aria-labelledby="send-title">
      <h2 id="send-title">{t('robots.send.title')}</h2>
      {queued ? (
        <p class="notice" role="status">
          {tx('robots.send.queued', {
            message: queued.message.charAt(0).toUpperCase() + queued.message.slice(1),
            id: <code>{queued.commandId}</code>,
            status: <StatusBadge status={queued.status} />,
          })}
        </p>
      ) : null}
      <ErrorBanner error={error} />
      <div class="form-row">
        <div>
          <label for="send-to">{t('robots.send.to')}</label>
          <input
            id="send-to"
            autoComplete="off"
            maxLength={2000}
            placeholder={t('robots.send.toPlaceholder')}
            value={to}
            onInput={(e) => setTo(e.currentTarget.value)}
          />
        </div>
        <div>
          <label for="send-mentions">{t('robots.send.mentions')}</label>
          <input
            id="send-mentions"
            autoComplete="off"
            maxLength={2000}
            placeholder={t('robots.send.mentionsPlaceholder')}
            value={mentions}
            onInput={(e) => setMentions(e.currentTarget.value)}
          />
        </div>
      </div>
      <label for="send-content">{t('robots.send.content')}</label>
      <textarea
        id="send-content"
        rows={3}
        maxLength={20000}
        value={content}
        onInput={(e) => setContent(e.currentTarget.value)}
        style={{ ...fieldStyle, resize: 'vertical' }}
      />
      <div class="form-actions">
        <button type="submit" disabled={busy}>
          {busy ? t('robots.send.sending') : t('robots.send.send')}
        </button>
      </div>
    </form>
  );
}
