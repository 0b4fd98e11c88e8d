import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../kit/i18n.js';
import type { NavGroup } from './nav.js';
import type { Me } from './types.js';

/**
 * Top bar (who is signed in, sign out), the section nav on the left, the page on the right. On a narrow
 * screen the nav is folded behind a Menu button (shell.css), and folds again once a page is chosen.
 */
export function Layout(props: { me: Me; version: string; groups: NavGroup[]; path: string; active: string; onSignOut(): void; children: ComponentChildren }) {
  const { me, groups, active } = props;
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => setMenuOpen(false), [props.path]);
  return (
    <div class="shell">
      <header class="topbar">
        <button type="button" class="secondary menu-button" aria-controls="sidenav" aria-expanded={menuOpen} onClick={() => setMenuOpen(!menuOpen)}>
          {t('shell.menu')}
        </button>
        <a class="brand" href="/admin">
          Plinth
        </a>
        <span class="spacer" />
        <a href="/docs" target="_blank" rel="noopener">
          {t('shell.apiReference')}
        </a>
        <span class="who" title={t('shell.who', { kind: me.kind, id: me.id, tenant: me.tenant_id ?? 'none' })}>
          {me.name ?? me.id}
        </span>
        <button type="button" class="secondary" onClick={props.onSignOut}>
          {t('shell.signOut')}
        </button>
      </header>
      <div class="frame">
        <nav id="sidenav" class={menuOpen ? 'sidenav open' : 'sidenav'} aria-label={t('shell.nav.label')}>
          {groups.map((group) => (
            <div class="nav-group" key={group.label}>
              <p class="nav-label">{group.label}</p>
              <ul>
                {group.entries.map((entry) => (
                  <li key={entry.href}>
                    <a href={entry.href} aria-current={entry.href === active ? 'page' : undefined}>
                      {entry.title}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          ))}
          <p class="version">v{props.version}</p>
        </nav>
        <main class="content">{props.children}</main>
      </div>
    </div>
  );
}

/** The frame of a public page (no session, no nav): a card like the login screen's. */
export function PublicLayout(props: { children: ComponentChildren }) {
  return (
    <main class="login">
      <div class="login-card public-card">
        <a class="brand" href="/admin">
          Plinth
        </a>
        {props.children}
      </div>
    </main>
  );
}
