import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, UNAUTHORIZED_EVENT } from '../kit/api.js';
import { setAllowedPages, setEnabledPlugins } from '../kit/plugins.js';
import { ErrorBanner, Page } from '../kit/components.js';
import { chooseLanguage, currentLanguage, onLanguageChange, setLanguage, t } from '../kit/i18n.js';
import { Layout, PublicLayout } from './layout.js';
import { Login } from './login.js';
import { activeHref, loginLinks, navGroups, OUTBOX_HREF, OVERVIEW_HREF, publicEntry, SETTINGS_HREF, SYSTEM_HREF, withheldEntry, type NavEntry } from './nav.js';
import { NotAvailable, NotFound } from './not-found.js';
import { loadModule, PluginPage } from './plugin-page.js';
import { navigate, usePath } from './router.js';
import { SystemPage } from './system-page.js';
import { OutboxPage } from './outbox-page.js';
import { SettingsPage } from './settings-page.js';
import { OverviewPage } from './overview-page.js';
import type { Me, Meta } from './types.js';

type Session = { state: 'loading' } | { state: 'failed'; error: Error } | { state: 'anonymous'; meta: Meta } | { state: 'signed-in'; meta: Meta; me: Me };

const pluginPage = (entry: NavEntry) =>
  entry.plugin ? <PluginPage plugin={entry.plugin.name} path={entry.plugin.path} script={entry.plugin.script} title={entry.title} href={entry.href} /> : null;

/** Who is signed in (GET /admin/api/meta says, `me: null` → the login screen), then the routed page inside the layout. */
export function App() {
  const [session, setSession] = useState<Session>({ state: 'loading' });
  const path = usePath();
  // A change of language (the profile's setting) renders every page anew in it.
  const [language, setShown] = useState(currentLanguage());
  useEffect(() => onLanguageChange(setShown), []);

  const load = useCallback(async () => {
    try {
      // meta answers 200 with `me: null` for a visitor: the login screen without a failed request in the console.
      const meta = await api<Meta>('/admin/api/meta');
      setLanguage(chooseLanguage(meta.me?.language));
      // Every plugin's UI entry registers its messages when imported: all are loaded before the nav (which names their pages) renders.
      // One that fails to load shows its error on its own page (PluginPage imports it again).
      await Promise.all(meta.plugins.map((p) => (p.script ? loadModule(p.script).catch(() => undefined) : undefined)));
      setEnabledPlugins(meta.plugins.map((p) => p.name));
      setAllowedPages(meta.me?.pages);
      setSession(meta.me ? { state: 'signed-in', meta, me: meta.me } : { state: 'anonymous', meta });
    } catch (error) {
      setSession({ state: 'failed', error: error as Error });
    }
  }, []);

  useEffect(() => {
    void load();
    // A 401 from any call (an expired session) sends the user back to the login screen.
    const expired = () => setSession((s) => (s.state === 'signed-in' ? { state: 'anonymous', meta: s.meta } : s));
    window.addEventListener(UNAUTHORIZED_EVENT, expired);
    return () => window.removeEventListener(UNAUTHORIZED_EVENT, expired);
  }, [load]);

  const signOut = useCallback(async () => {
    await api('/admin/api/logout', { method: 'POST' }).catch(() => undefined);
    setSession((s) => (s.state === 'signed-in' ? { state: 'anonymous', meta: s.meta } : s));
  }, []);

  const meta = session.state === 'signed-in' || session.state === 'anonymous' ? session.meta : null;
  // A public page (password reset, email link, …) renders the same with or without a session.
  const open = meta ? publicEntry(meta, path) : undefined;
  const groups = session.state === 'signed-in' ? navGroups(session.me, session.meta) : [];
  // Every page this user may open, also those the nav does not list (an editor opened from its list).
  const entries = session.state === 'signed-in' ? navGroups(session.me, session.meta, { listed: false }).flatMap((g) => g.entries) : [];
  const entry = open ?? entries.find((e) => e.href === path);
  // A step the user must take before any page (the auth plugin's second-factor set-up, under its policy).
  const required = session.state === 'signed-in' && !open ? session.me.required_step?.href : undefined;
  const home = required && path !== required ? required : path === '/admin' ? groups[0]?.entries[0]?.href : undefined;

  useEffect(() => {
    if (home) navigate(home, { replace: true });
  }, [home]);
  useEffect(() => {
    document.title =
      session.state === 'signed-in' || open ? t('shell.documentTitle.page', { page: entry?.title ?? t('shell.notFound.title') }) : t('shell.documentTitle');
  }, [session.state, entry, open, language]);

  switch (session.state) {
    case 'loading':
      return (
        <p class="muted boot" role="status">
          {t('kit.loading')}
        </p>
      );
    case 'failed':
      return (
        <main class="login">
          <div class="login-card">
            <h1>{t('shell.documentTitle')}</h1>
            <ErrorBanner error={session.error} />
            <button type="button" onClick={() => void load()}>
              {t('shell.tryAgain')}
            </button>
          </div>
        </main>
      );
  }
  if (open) return <PublicLayout key={language}>{pluginPage(open)}</PublicLayout>;
  if (session.state === 'anonymous')
    return <Login key={language} available={session.meta.login} links={loginLinks(session.meta)} onSignedIn={() => void load()} />;

  let content;
  // On the way to the required step: no other page loads (its requests would be refused).
  if (required && path !== required) content = null;
  else if (entry?.href === OVERVIEW_HREF) content = <OverviewPage />;
  else if (entry?.href === SYSTEM_HREF) content = <SystemPage />;
  else if (entry?.href === OUTBOX_HREF) content = <OutboxPage />;
  else if (entry?.href === SETTINGS_HREF) content = <SettingsPage />;
  else if (entry?.plugin) content = pluginPage(entry);
  else if (path === '/admin')
    content = (
      <Page title={t('shell.welcome.title')}>
        <p>{t('shell.welcome.none')}</p>
      </Page>
    );
  else if (withheldEntry(session.meta, path)) content = <NotAvailable title={withheldEntry(session.meta, path)!.title} />;
  else content = <NotFound path={path} />;

  return (
    <Layout key={language} me={session.me} version={session.meta.version} groups={groups} path={path} active={activeHref(entry, path)} onSignOut={signOut}>
      {content}
    </Layout>
  );
}
