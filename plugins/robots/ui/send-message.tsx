// "Send a message": the robot sends a text to the named contacts or groups (POST /api/robot/send-message).
// The command is queued and pushed to the phone; its status then shows in the command log below.
import { useState } from 'preact/hooks';
import { api, ErrorBanner } from 'plinth/plugin/ui';
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
    if (!titleList.length) return setError(new Error('Name at least one contact or group to send to.'));
    if (!content.trim()) return setError(new Error('Write the message to send.'));
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
      <h2 id="send-title">Send a message</h2>
      {queued ? (
        <p class="notice" role="status">
          {queued.message.charAt(0).toUpperCase() + queued.message.slice(1)}: <code>{queued.commandId}</code> <StatusBadge status={queued.status} />
        </p>
      ) : null}
      <ErrorBanner error={error} />
      <div class="form-row">
        <div>
          <label for="send-to">To (contact or group names, comma-separated)</label>
          <input
            id="send-to"
            autoComplete="off"
            maxLength={2000}
            placeholder="Zhang San, Buyers group"
            value={to}
            onInput={(e) => setTo(e.currentTarget.value)}
          />
        </div>
        <div>
          <label for="send-mentions">Mention (optional, comma-separated)</label>
          <input
            id="send-mentions"
            autoComplete="off"
            maxLength={2000}
            placeholder="names to @ in a group"
            value={mentions}
            onInput={(e) => setMentions(e.currentTarget.value)}
          />
        </div>
      </div>
      <label for="send-content">Message</label>
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
          {busy ? 'Sending…' : 'Send'}
        </button>
      </div>
    </form>
  );
}
