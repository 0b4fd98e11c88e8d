// The landing page after sign-in: the cards of GET /admin/api/overview (the core's and each enabled
// plugin's), each number a link to its page, a chart under the numbers that are a trend. A
// superadmin's cover every tenant; anyone else's their own tenant. The page reloads when the live
// channel says something it shows changed (debounced), and every minute for the figures no live
// event announces (requests, the outbox, sign-ups). Number and chart come from one reply, so they
// always agree.
import { useEffect, useRef } from 'preact/hooks';
import type { CardItem, CardMessage, CardTone, OverviewCard, OverviewReply } from '../../overview/card.js';
import { BarChart } from '../kit/bar-chart.js';
import { ErrorBanner, Page, Time } from '../kit/components.js';
import { currentLanguage, formatDate, formatNumber, t } from '../kit/i18n.js';
import { useLive } from '../kit/live.js';
import { LiveNote } from '../kit/live-note.js';
import { useApi } from '../kit/use-api.js';
import { cardWords } from './card-words.js';

export const OVERVIEW_API = '/admin/api/overview';
/** At most one reload a second, however many changes arrive. */
const RELOAD_AFTER_MS = 1000;
/** Figures without a live event (requests, the outbox, new accounts) are read again this often. */
const REFRESH_MS = 60_000;

const toneWords = (tone: CardTone): string | null => (tone === 'ok' ? null : t(tone === 'warn' ? 'shell.overview.tone.warn' : 'shell.overview.tone.alert'));

/** Integer minor units in the currency's own decimals: 2990 usd → $29.90, 500 jpy → ¥500. */
function money(minor: number, currency: string): string {
  const format = new Intl.NumberFormat(currentLanguage(), { style: 'currency', currency: currency.toUpperCase() });
  return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

const figure = (value: number, currency?: string): string => (currency ? money(value, currency) : formatNumber(value));

/** A value that is words ("Failed", a plan's name) through its message; a number or money as a figure. */
const valueText = (value: number | string, currency: string | undefined, message: CardMessage | undefined): string =>
  typeof value === 'string' ? cardWords(value, message) : figure(value, currency);

const dayLabel = (date: string) => formatDate(`${date}T00:00:00Z`, { day: 'numeric', month: 'short', timeZone: 'UTC' });

function Item(props: { item: CardItem }) {
  const { item } = props;
  const text = item.value === undefined ? null : valueText(item.value, item.currency, item.messages?.value);
  const label = cardWords(item.label, item.messages?.label);
  return (
    <li class={item.tone && item.tone !== 'ok' ? `tone-text-${item.tone}` : undefined}>
      {item.href ? <a href={item.href}>{label}</a> : <span>{label}</span>}
      {text === null ? null : <span class="overview-item-value">{text}</span>}
    </li>
  );
}

/** One card: the number (a link to its page), what it counts, a line of context, its chart and short list. */
function Card(props: { card: OverviewCard }) {
  const { card } = props;
  const words = card.messages ?? {};
  const title = cardWords(card.title, words.title);
  const heading = `overview-${card.id.replace(/[^a-z0-9_-]/gi, '-')}`;
  // A card that states no tone has no coloured edge: green marks a check that passed (no alerts), not every number.
  const tone = card.tone ?? 'none';
  const toneText = card.tone ? toneWords(card.tone) : null;
  const number = (
    <>
      <span class="overview-number">{valueText(card.value, card.currency, words.value)}</span>
      {card.unit ? <span class="overview-unit"> {cardWords(card.unit, words.unit)}</span> : null}
    </>
  );
  return (
    <section class={`card overview-card tone-${tone}${card.series ? ' overview-wide' : ''}`} aria-labelledby={heading} data-card={card.id}>
      <div class="overview-card-head">
        <h2 id={heading}>{title}</h2>
        {toneText ? <span class={`badge ${tone === 'alert' ? 'badge-danger' : 'badge-warn'}`}>{toneText}</span> : null}
      </div>
      {card.error ? (
        <p class="error-text" role="alert">
          {cardWords(card.error, words.error)}
        </p>
      ) : (
        <>
          <p class="overview-value">{card.href ? <a href={card.href}>{number}</a> : number}</p>
          {card.at ? (
            <p class="muted overview-note">
              <Time value={card.at} />
            </p>
          ) : null}
          {card.note ? <p class="muted overview-note">{cardWords(card.note, words.note)}</p> : null}
          {card.series ? (
            <BarChart
              title={card.seriesLabel ? cardWords(card.seriesLabel, words.seriesLabel) : title}
              height={64}
              bars={card.series.map((p) => ({ label: dayLabel(p.date), tick: String(Number(p.date.slice(8))), value: p.value }))}
            />
          ) : null}
          {card.items?.length ? (
            <ul class="overview-items">
              {card.items.map((item, i) => (
                <Item key={`${item.label}-${i}`} item={item} />
              ))}
            </ul>
          ) : null}
        </>
      )}
    </section>
  );
}

/**
 * Reloads when a live event changes a card (a kind one of its cards names, or `platform` naming one:
 * what a superadmin's stream hears of other tenants), at most once a second, and every REFRESH_MS.
 */
function useLiveReload(cards: readonly OverviewCard[] | undefined, reload: () => void): boolean {
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const kinds = new Set((cards ?? []).flatMap((c) => c.live ?? []));
  const open = useLive('', (kind, data) => {
    const changed = kind === 'platform' ? (Array.isArray(data.kinds) ? data.kinds : []) : [kind];
    if (!changed.some((k) => kinds.has(String(k))) || pending.current) return;
    pending.current = setTimeout(() => {
      pending.current = null;
      reload();
    }, RELOAD_AFTER_MS);
  });
  useEffect(() => {
    const every = setInterval(reload, REFRESH_MS);
    return () => {
      clearInterval(every);
      if (pending.current) clearTimeout(pending.current);
    };
  }, [reload]);
  return open;
}

export function OverviewPage() {
  const { data, error, reload } = useApi<OverviewReply>(OVERVIEW_API);
  const live = useLiveReload(data?.cards, reload);
  return (
    <Page title={t('shell.nav.overview')} actions={<LiveNote open={live} fallback={t('shell.overview.everyMinute')} />}>
      <ErrorBanner error={error} />
      {data ? (
        <>
          <p class="muted">{t('shell.overview.scope', { scope: data.scope === 'platform' ? 'platform' : 'tenant' })}</p>
          {data.cards.length ? (
            <div class="overview-grid">
              {data.cards.map((card) => (
                <Card key={card.id} card={card} />
              ))}
            </div>
          ) : (
            <p class="muted">{t('kit.table.empty')}</p>
          )}
        </>
      ) : error ? null : (
        <p class="muted" role="status">
          {t('kit.loading')}
        </p>
      )}
    </Page>
  );
}
