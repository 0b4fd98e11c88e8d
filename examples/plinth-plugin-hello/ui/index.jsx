// The hello admin page, built by Plinth at start into its admin shell (Preact and the kit are the shell's).
import { useState } from 'preact/hooks';
import { api, ErrorBanner, Page, Table, useApi } from 'plinth/plugin/ui';

function GreetingsPage() {
  const greetings = useApi('/hello/greetings');
  const [to, setTo] = useState('');
  const [error, setError] = useState(null);
  const send = async (event) => {
    event.preventDefault();
    setError(null);
    try {
      await api('/hello/greetings', { body: { to } });
      setTo('');
      greetings.reload();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <Page title="Hello">
      <form class="inline-form" onSubmit={send}>
        <div class="grow">
          <label for="hello-to">Greet</label>
          <input id="hello-to" required maxLength={100} value={to} onInput={(e) => setTo(e.currentTarget.value)} />
        </div>
        <button type="submit">Send greeting</button>
      </form>
      <ErrorBanner error={error ?? greetings.error} />
      <div class="card">
        <Table
          rows={greetings.data?.data ?? []}
          rowKey={(g) => g.id}
          empty="No greetings yet."
          columns={[
            { label: 'To', value: 'to' },
            { label: 'Greeting', value: 'text' },
          ]}
        />
      </div>
    </Page>
  );
}

export const pages = { '': GreetingsPage };
