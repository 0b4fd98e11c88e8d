// The overview's vocabulary, types only: what a plugin's `overview` provider (core/plugins/contract.ts)
// is given and what it returns. A leaf module, so the contract, the core's route and the admin UI
// (core/ui/shell/overview-page.tsx) share one definition of a card.
import type { Principal } from '../http/auth.js';

/**
 * Who is looking at the overview; the cards depend on it. A superadmin sees the platform (every
 * tenant's rows); anyone else sees their tenant's only, and within it what their role and scopes
 * allow (a member's own mailboxes, not the tenant's). A provider never counts another tenant's
 * rows for a viewer that is not `platform`.
 */
export interface OverviewViewer {
  /** The signed-in principal, as the plugin's own routes would see it (for their scope rules). */
  principal: Principal;
  /** True for a superadmin (and the root token): platform-wide figures. */
  platform: boolean;
  /** The principal's tenant: the only one whose rows a non-platform viewer's cards may count. */
  tenantId: string | null;
}

/** The days every chart of one overview covers, so the cards' charts line up. */
export interface OverviewWindow {
  /** 30 UTC dates (YYYY-MM-DD), oldest first; the last is today. */
  days: readonly string[];
  /** The first day's start, ISO-8601 UTC: count rows created at or after it. */
  since: string;
  /** The moment the overview is made (the core's clock), ISO-8601 UTC. */
  now: string;
}

/** ok: nothing to do; warn: look soon (a tenant near a limit); alert: look now (dead events, a failed backup). */
export type CardTone = 'ok' | 'warn' | 'alert';

/**
 * A card's words in the viewer's language: a message id of the admin UI's catalogues (docs/ui-i18n.md)
 * with its values. The English field beside it stays in the reply: it is what API clients read and
 * what the page shows when no catalogue has the id (a plugin that ships none). A value may itself be
 * a message (a metric's name inside a sentence), with `text`, its English, for when no catalogue has it.
 */
export interface CardMessage {
  /** `<plugin>.overview.<card>.<what>` in the plugin's catalogues; the core's cards: `shell.overview.<card>.<what>`. */
  id: string;
  values?: Record<string, string | number | (CardMessage & { text: string })>;
}

/** One line of a card's short list (a plan and its tenants, a tenant near a limit). */
export interface CardItem {
  label: string;
  /** The label's and the value's messages, when they are words (not a tenant's name, not a number). */
  messages?: { label?: CardMessage; value?: CardMessage };
  value?: number | string;
  /** ISO 4217 code when `value` is money in its minor units (as on the card). */
  currency?: string;
  /** A page about this item the viewer can open. */
  href?: string;
  tone?: CardTone;
}

/** One day of a card's chart. */
export interface CardPoint {
  date: string;
  value: number;
}

/**
 * One number on the overview, with where to read more. When a card has a `series`, its `value` is
 * the series' sum (the chart and the number come from the same rows, so they never disagree), and a
 * `note` that gives a shorter span (the last 7 days) is a sum of the series' tail.
 */
export interface OverviewCard {
  /** Unique on the page: `<plugin>.<what>` (`core.<what>` for the core's own). */
  id: string;
  title: string;
  /** The number, or a short text (a plan's name, "failed"). Money: integer minor units, with `currency`. */
  value: number | string;
  /** What the number counts ("tenants", "runs"); shown after it. */
  unit?: string;
  /** ISO 4217 code when `value` is money in its minor units (999 with "usd" is $9.99), as plans store prices. */
  currency?: string;
  /** One short line under the number ("3 in the last 7 days", "of 12 robots"). */
  note?: string;
  /** A moment the card is about (the last backup), ISO-8601 UTC; the page shows it in local time. */
  at?: string;
  /** The page the number links to; one the viewer can open (left out when there is none, e.g. a member and Billing). */
  href?: string;
  /** Daily values over the window's days (oldest first), charted under the number. */
  series?: CardPoint[];
  /** What the series counts, named for the chart ("New accounts per day"). */
  seriesLabel?: string;
  tone?: CardTone;
  /** A short list under the number (at most ~10 lines): tenants near a limit, tenants per plan. */
  items?: CardItem[];
  /**
   * The live events (core/live.ts kinds, e.g. `mail.received`) that change this card: the page reloads
   * when one comes for the viewer's tenant (a superadmin's page: for any tenant, coalesced).
   */
  live?: string[];
  /** Set by the core when the provider failed or took too long: the card shows this instead of figures. */
  error?: string;
  /** The messages of the card's words (`value` when it is words, "Failed"), for the page to show in the viewer's language. */
  messages?: CardMessages;
}

/** A card's fields that are words, each with its message. */
export type CardMessages = Partial<Record<'title' | 'value' | 'unit' | 'note' | 'seriesLabel' | 'error', CardMessage>>;

/** GET /admin/api/overview */
export interface OverviewReply {
  /** platform: a superadmin's view of every tenant; tenant: the viewer's own tenant. */
  scope: 'platform' | 'tenant';
  window: OverviewWindow;
  cards: OverviewCard[];
}
