// Longer than most: one file per protocol stand-in, so a test reads the whole fake Stripe in one place.
// A local stand-in for the Stripe API, spoken to by the official `stripe` SDK (tests never reach
// the internet). It speaks enough of Stripe's REST protocol for Plinth's billing plugin:
// form-encoded request bodies with nested keys, JSON replies with `id` and `object`, bearer-key
// authentication, Stripe-style errors, idempotency keys. State lives in memory and every request
// is recorded (method, path, parsed body) so tests can assert what was sent.
//
// It also builds webhook events from its objects and signs them with the SDK's own helper.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { Reply, TestApp } from './app.js';

export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormBody = { [key: string]: FormValue };

export interface RecordedRequest {
  method: string;
  /** Without the query string. */
  path: string;
  /** The parsed form body (POST) or query (GET): nested keys become objects and arrays, leaves stay strings, as sent. */
  body: FormBody;
  headers: http.IncomingHttpHeaders;
  /** The reply's status. */
  status: number;
  /** True when the reply was replayed for a repeated Idempotency-Key. */
  replayed: boolean;
}

type Obj = Record<string, any>;

const DEFAULT_SECRET_KEY = 'sk_test_plinth_fake_0123456789';
const DEFAULT_WEBHOOK_SECRET = 'whsec_plinth_fake_0123456789abcdef';

const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Parses `a[b][0][c]=1&a[b][0][d]=2` into `{ a: { b: [{ c: '1', d: '2' }] } }` (Stripe's, and qs's,
 * bracket notation). Numeric segments make arrays; leaves are strings exactly as sent.
 */
export function parseForm(text: string): FormBody {
  const root: FormBody = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(rawKey);
    const segments = match ? [match[1], ...[...match[2].matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1])] : [rawKey];
    let node: any = root;
    segments.forEach((segment, i) => {
      const last = i === segments.length - 1;
      const key: string | number = Array.isArray(node) ? (segment === '' ? node.length : Number(segment)) : segment;
      if (last) {
        node[key] = value;
        return;
      }
      if (node[key] === undefined || typeof node[key] !== 'object') node[key] = /^\d*$/.test(segments[i + 1]) ? [] : {};
      node = node[key];
    });
  }
  return root;
}

class StripeHttpError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
  }
}

const missing = (what: string, id: string, param = 'id') =>
  new StripeHttpError(404, 'invalid_request_error', `No such ${what}: '${id}'`, 'resource_missing', param);
const invalid = (message: string, param?: string) => new StripeHttpError(400, 'invalid_request_error', message, param ? 'parameter_invalid' : undefined, param);
const required = (param: string) => new StripeHttpError(400, 'invalid_request_error', `Missing required param: ${param}.`, 'parameter_missing', param);

const str = (v: FormValue | undefined): string | undefined => (typeof v === 'string' ? v : undefined);
const bool = (v: FormValue | undefined, param: string): boolean | undefined => {
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(`Invalid boolean: ${String(v)}`, param);
};
const int = (v: FormValue | undefined, param: string): number | undefined => {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !/^-?\d+$/.test(v)) throw invalid(`Invalid integer: ${String(v)}`, param);
  return Number(v);
};
/** Stripe's metadata update semantics: an empty value removes a key. */
const mergeMetadata = (current: Record<string, string>, patch: FormValue | undefined): Record<string, string> => {
  if (patch === undefined) return current;
  if (patch === '') return {};
  if (typeof patch !== 'object' || Array.isArray(patch)) throw invalid('Invalid metadata', 'metadata');
  const next = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === '') delete next[k];
    else next[k] = String(v);
  }
  return next;
};

export interface FakeStripeOptions {
  /** The only key the fake accepts (default a fixed sk_test_… key). */
  secretKey?: string;
  /** The secret webhooks are signed with (default a fixed whsec_… secret). */
  webhookSecret?: string;
}

export interface SignOptions {
  /** Seconds since the epoch the signature claims (default now). */
  timestamp?: number;
  /** Sign with another secret (a forged delivery). */
  secret?: string;
}

export class FakeStripe {
  readonly requests: RecordedRequest[] = [];
  readonly products = new Map<string, Obj>();
  readonly prices = new Map<string, Obj>();
  readonly customers = new Map<string, Obj>();
  readonly subscriptions = new Map<string, Obj>();
  readonly checkoutSessions = new Map<string, Obj>();
  readonly portalSessions = new Map<string, Obj>();
  readonly secretKey: string;
  readonly webhookSecret: string;
  /** The SDK, only for its webhook signing helper. */
  private readonly sdk: Stripe;
  private readonly idempotent = new Map<string, { status: number; body: unknown }>();
  private readonly failures: Array<{ status: number; type: string; message: string; code?: string; method?: string; path?: string | RegExp }> = [];
  private server!: http.Server;
  port = 0;

  private constructor(options: FakeStripeOptions) {
    this.secretKey = options.secretKey ?? DEFAULT_SECRET_KEY;
    this.webhookSecret = options.webhookSecret ?? DEFAULT_WEBHOOK_SECRET;
    this.sdk = new Stripe(this.secretKey);
  }

  /** Starts the fake on 127.0.0.1, on a free port. */
  static async start(options: FakeStripeOptions = {}): Promise<FakeStripe> {
    const fake = new FakeStripe(options);
    fake.server = http.createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** For settings.billing.stripe: the SDK pointed at this fake. */
  get settings() {
    return { secretKey: this.secretKey, webhookSecret: this.webhookSecret, apiHost: '127.0.0.1', apiPort: this.port, apiProtocol: 'http' as const };
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets every object and request (between tests sharing one fake). */
  reset(): void {
    this.requests.length = 0;
    this.failures.length = 0;
    for (const map of [this.products, this.prices, this.customers, this.subscriptions, this.checkoutSessions, this.portalSessions, this.idempotent])
      map.clear();
  }

  /** The recorded requests with this method whose path matches (exactly, or the pattern). */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  /**
   * Makes the next `times` API requests (those with this method and path, when given) fail with a
   * Stripe error. The SDK retries 409s and 5xx, so a single 500 is invisible to the app.
   */
  failNext(
    status: number,
    message = 'Something went wrong on our end.',
    options: { times?: number; type?: string; code?: string; method?: string; path?: string | RegExp } = {},
  ): void {
    for (let i = 0; i < (options.times ?? 1); i++) {
      this.failures.push({
        status,
        message,
        type: options.type ?? (status >= 500 ? 'api_error' : 'invalid_request_error'),
        code: options.code,
        method: options.method,
        path: options.path,
      });
    }
  }

  // ---- the HTTP side -------------------------------------------------------------------------

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://stripe.fake');
    const method = req.method ?? 'GET';
    const text = method === 'GET' || method === 'DELETE' ? url.search.slice(1) : Buffer.concat(chunks).toString('utf8');
    const record: RecordedRequest = { method, path: url.pathname, body: {}, headers: req.headers, status: 0, replayed: false };
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req'), ...headers });
      res.end(JSON.stringify(body));
    };
    const fail = (err: StripeHttpError) =>
      send(err.status, {
        error: { type: err.type, message: err.message, ...(err.code ? { code: err.code } : {}), ...(err.param ? { param: err.param } : {}) },
      });
    this.requests.push(record);
    try {
      const type = String(req.headers['content-type'] ?? '');
      if (text && method !== 'GET' && method !== 'DELETE' && !type.startsWith('application/x-www-form-urlencoded'))
        throw invalid(`Invalid request: expected a form-encoded body, got "${type}"`);
      record.body = parseForm(text);

      const auth = String(req.headers.authorization ?? '');
      if (!auth)
        return fail(
          new StripeHttpError(
            401,
            'invalid_request_error',
            'You did not provide an API key. Provide it in the Authorization header (Authorization: Bearer YOUR_SECRET_KEY).',
          ),
        );
      const key = /^Bearer (\S+)$/.exec(auth)?.[1] ?? '';
      if (!/^(sk|rk)_/.test(key) || key !== this.secretKey) {
        return fail(
          new StripeHttpError(
            401,
            'invalid_request_error',
            `Invalid API Key provided: ${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`,
          ),
        );
      }

      const at = this.failures.findIndex(
        (f) => (!f.method || f.method === method) && (!f.path || (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname))),
      );
      if (at >= 0) {
        const [failure] = this.failures.splice(at, 1);
        return fail(new StripeHttpError(failure.status, failure.type, failure.message, failure.code));
      }

      const idempotencyKey = method === 'POST' ? (req.headers['idempotency-key'] as string | undefined) : undefined;
      const scoped = idempotencyKey ? `${url.pathname} ${idempotencyKey}` : null;
      const earlier = scoped ? this.idempotent.get(scoped) : undefined;
      if (earlier) {
        record.replayed = true;
        return send(earlier.status, earlier.body, { 'idempotent-replayed': 'true' });
      }
      const body = this.route(method, url.pathname, record.body);
      if (scoped) this.idempotent.set(scoped, { status: 200, body });
      send(200, body);
    } catch (err) {
      if (err instanceof StripeHttpError) return fail(err);
      send(500, { error: { type: 'api_error', message: `fake Stripe crashed: ${(err as Error).message}` } });
    }
  }

  private route(method: string, path: string, body: FormBody): Obj {
    const m = (pattern: RegExp) => pattern.exec(path);
    let match: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/checkout/sessions') return this.createCheckoutSession(body);
    if (method === 'GET' && (match = m(/^\/v1\/checkout\/sessions\/([^/]+)$/))) return this.get(this.checkoutSessions, 'checkout.session', match[1]);
    if (method === 'POST' && path === '/v1/billing_portal/sessions') return this.createPortalSession(body);
    if (method === 'POST' && path === '/v1/products') return this.createProduct(body);
    if (method === 'GET' && (match = m(/^\/v1\/products\/([^/]+)$/))) return this.get(this.products, 'product', match[1]);
    if (method === 'POST' && (match = m(/^\/v1\/products\/([^/]+)$/))) return this.updateProduct(match[1], body);
    if (method === 'POST' && path === '/v1/prices') return this.createPrice(body);
    if (method === 'GET' && (match = m(/^\/v1\/prices\/([^/]+)$/))) return this.get(this.prices, 'price', match[1]);
    if (method === 'POST' && (match = m(/^\/v1\/prices\/([^/]+)$/))) return this.updatePrice(match[1], body);
    if (method === 'GET' && (match = m(/^\/v1\/customers\/([^/]+)$/))) return this.get(this.customers, 'customer', match[1]);
    if (method === 'GET' && (match = m(/^\/v1\/subscriptions\/([^/]+)$/))) return this.get(this.subscriptions, 'subscription', match[1]);
    if (method === 'POST' && (match = m(/^\/v1\/subscriptions\/([^/]+)$/))) return this.updateSubscription(match[1], body);
    throw new StripeHttpError(
      404,
      'invalid_request_error',
      `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    );
  }

  private get(map: Map<string, Obj>, what: string, id: string): Obj {
    const found = map.get(id);
    if (!found) throw missing(what, id);
    return found;
  }

  private createCheckoutSession(body: FormBody): Obj {
    const mode = str(body.mode);
    if (!mode) throw required('mode');
    if (!['payment', 'setup', 'subscription'].includes(mode)) throw invalid(`Invalid mode: must be one of payment, setup, or subscription`, 'mode');
    if (!str(body.success_url)) throw required('success_url');
    const items = Array.isArray(body.line_items) ? body.line_items : [];
    if (mode !== 'setup' && items.length === 0) throw required('line_items');
    items.forEach((raw, i) => {
      const item = raw as FormBody;
      const priceId = str(item.price);
      if (!priceId) throw required(`line_items[${i}][price]`);
      const price = this.prices.get(priceId);
      if (!price) throw invalid(`No such price: '${priceId}'`, `line_items[${i}][price]`);
      if (!price.active) throw invalid(`The price specified is inactive. This field only accepts active prices.`, `line_items[${i}][price]`);
      if (mode === 'subscription' && !price.recurring)
        throw invalid(`You specified \`subscription\` mode but passed a one-time price.`, `line_items[${i}][price]`);
    });
    const customer = str(body.customer);
    if (customer && !this.customers.has(customer)) throw invalid(`No such customer: '${customer}'`, 'customer');
    if (customer && body.customer_email !== undefined)
      throw invalid('You may only specify one of these parameters: customer, customer_email.', 'customer_email');
    const id = newId('cs_test');
    const session = {
      id,
      object: 'checkout.session',
      mode,
      status: 'open',
      payment_status: 'unpaid',
      url: `https://checkout.stripe.test/c/pay/${id}`,
      success_url: str(body.success_url),
      cancel_url: str(body.cancel_url) ?? null,
      client_reference_id: str(body.client_reference_id) ?? null,
      customer: customer ?? null,
      customer_email: str(body.customer_email) ?? null,
      customer_details: null,
      subscription: null,
      metadata: mergeMetadata({}, body.metadata),
      // Not in Stripe's reply (line_items must be expanded there); kept for completeCheckout().
      line_items_requested: items.map((raw) => ({ price: str((raw as FormBody).price), quantity: int((raw as FormBody).quantity, 'quantity') ?? 1 })),
      subscription_data_requested: body.subscription_data ?? null,
      created: nowSeconds(),
      expires_at: nowSeconds() + 86_400,
      livemode: false,
    };
    this.checkoutSessions.set(id, session);
    return session;
  }

  private createPortalSession(body: FormBody): Obj {
    const customer = str(body.customer);
    if (!customer) throw required('customer');
    if (!this.customers.has(customer)) throw invalid(`No such customer: '${customer}'`, 'customer');
    const id = newId('bps');
    const session = {
      id,
      object: 'billing_portal.session',
      customer,
      return_url: str(body.return_url) ?? null,
      url: `https://billing.stripe.test/p/session/${id}`,
      created: nowSeconds(),
      livemode: false,
    };
    this.portalSessions.set(id, session);
    return session;
  }

  private createProduct(body: FormBody): Obj {
    const name = str(body.name);
    if (!name) throw required('name');
    const id = newId('prod');
    const product = {
      id,
      object: 'product',
      active: bool(body.active, 'active') ?? true,
      name,
      description: str(body.description) ?? null,
      metadata: mergeMetadata({}, body.metadata),
      default_price: null,
      created: nowSeconds(),
      updated: nowSeconds(),
      livemode: false,
    };
    this.products.set(id, product);
    return product;
  }

  private updateProduct(id: string, body: FormBody): Obj {
    const product = this.get(this.products, 'product', id);
    if (body.name !== undefined) {
      if (!str(body.name))
        throw invalid(
          "You passed an empty string for 'name'. We assume empty values are an attempt to unset a parameter; however 'name' cannot be unset.",
          'name',
        );
      product.name = str(body.name);
    }
    if (body.description !== undefined) product.description = str(body.description) || null;
    if (body.active !== undefined) product.active = bool(body.active, 'active');
    product.metadata = mergeMetadata(product.metadata, body.metadata);
    product.updated = nowSeconds();
    return product;
  }

  private createPrice(body: FormBody): Obj {
    const currency = str(body.currency);
    if (!currency) throw required('currency');
    const productId = str(body.product);
    if (!productId) throw required('product');
    if (!this.products.has(productId)) throw invalid(`No such product: '${productId}'`, 'product');
    const unitAmount = int(body.unit_amount, 'unit_amount');
    if (unitAmount === undefined) throw required('unit_amount');
    if (unitAmount < 0) throw invalid('This value must be greater than or equal to 0.', 'unit_amount');
    const recurring = body.recurring as FormBody | undefined;
    const interval = recurring ? str(recurring.interval) : undefined;
    if (recurring && !['day', 'week', 'month', 'year'].includes(interval ?? ''))
      throw invalid('Invalid recurring[interval]: must be one of day, week, month, or year', 'recurring[interval]');
    const id = newId('price');
    const price = {
      id,
      object: 'price',
      active: true,
      currency: currency.toLowerCase(),
      unit_amount: unitAmount,
      product: productId,
      type: recurring ? 'recurring' : 'one_time',
      recurring: recurring ? { interval, interval_count: int(recurring.interval_count, 'recurring[interval_count]') ?? 1, usage_type: 'licensed' } : null,
      billing_scheme: 'per_unit',
      lookup_key: str(body.lookup_key) ?? null,
      nickname: str(body.nickname) ?? null,
      metadata: mergeMetadata({}, body.metadata),
      created: nowSeconds(),
      livemode: false,
    };
    this.prices.set(id, price);
    return price;
  }

  private updatePrice(id: string, body: FormBody): Obj {
    const price = this.get(this.prices, 'price', id);
    for (const immutable of ['unit_amount', 'currency', 'product', 'recurring']) {
      if (body[immutable] !== undefined) throw invalid(`Received unknown parameter: ${immutable}`, immutable);
    }
    if (body.active !== undefined) price.active = bool(body.active, 'active');
    if (body.nickname !== undefined) price.nickname = str(body.nickname) || null;
    price.metadata = mergeMetadata(price.metadata, body.metadata);
    return price;
  }

  private updateSubscription(id: string, body: FormBody): Obj {
    const sub = this.get(this.subscriptions, 'subscription', id);
    if (sub.status === 'canceled') throw invalid(`A canceled subscription can only update its cancellation_details and metadata.`);
    const cancel = bool(body.cancel_at_period_end, 'cancel_at_period_end');
    if (cancel !== undefined) {
      sub.cancel_at_period_end = cancel;
      sub.cancel_at = cancel ? (sub.items.data[0]?.current_period_end ?? null) : null;
      sub.canceled_at = cancel ? nowSeconds() : null;
    }
    sub.metadata = mergeMetadata(sub.metadata, body.metadata);
    return sub;
  }

  // ---- what Stripe does on its own (for tests) ------------------------------------------------

  /** A customer, as checkout would create one. */
  createCustomer(input: { email?: string | null; metadata?: Record<string, string> } = {}): Obj {
    const id = newId('cus');
    const customer = { id, object: 'customer', email: input.email ?? null, metadata: input.metadata ?? {}, created: nowSeconds(), livemode: false };
    this.customers.set(id, customer);
    return customer;
  }

  /** An active subscription of `customer` to `priceId`, with a current period of one interval from `start`. */
  createSubscription(input: { customer: string; price: string; metadata?: Record<string, string>; start?: number; status?: string }): Obj {
    const price = this.get(this.prices, 'price', input.price);
    const start = input.start ?? nowSeconds();
    const end = start + (price.recurring?.interval === 'year' ? 365 : 30) * 86_400;
    const id = newId('sub');
    const sub = {
      id,
      object: 'subscription',
      customer: input.customer,
      status: input.status ?? 'active',
      cancel_at_period_end: false,
      cancel_at: null,
      canceled_at: null,
      collection_method: 'charge_automatically',
      metadata: input.metadata ?? {},
      items: {
        object: 'list',
        data: [{ id: newId('si'), object: 'subscription_item', price: { ...price }, quantity: 1, current_period_start: start, current_period_end: end }],
        has_more: false,
      },
      start_date: start,
      created: start,
      livemode: false,
    };
    this.subscriptions.set(id, sub);
    return sub;
  }

  /**
   * The customer pays: completes an open checkout session the way Stripe does (a customer unless
   * one was given, an active subscription to the session's price carrying subscription_data's
   * metadata). Returns the completed session and the subscription.
   */
  completeCheckout(sessionId: string): { session: Obj; subscription: Obj; customer: Obj } {
    const session = this.get(this.checkoutSessions, 'checkout.session', sessionId);
    if (session.status !== 'open') throw new Error(`checkout session ${sessionId} is ${session.status}`);
    const customer = session.customer ? this.customers.get(session.customer)! : this.createCustomer({ email: session.customer_email });
    const subscriptionData = (session.subscription_data_requested ?? {}) as FormBody;
    const subscription = this.createSubscription({
      customer: customer.id,
      price: session.line_items_requested[0].price,
      metadata: mergeMetadata({}, subscriptionData.metadata),
    });
    Object.assign(session, {
      status: 'complete',
      payment_status: 'paid',
      customer: customer.id,
      subscription: subscription.id,
      customer_details: { email: customer.email },
    });
    return { session: this.publicView(session), subscription, customer };
  }

  /** An object as Stripe would put it in an event (without the fake's bookkeeping fields). */
  publicView(object: Obj): Obj {
    const { line_items_requested: _l, subscription_data_requested: _s, ...rest } = object;
    return JSON.parse(JSON.stringify(rest));
  }

  // ---- webhooks ---------------------------------------------------------------------------

  /** A Stripe event around a copy of `object`; `created` (seconds) defaults to now. */
  event(type: string, object: Obj, options: { id?: string; created?: number; previousAttributes?: Obj } = {}): Obj {
    return {
      id: options.id ?? newId('evt'),
      object: 'event',
      api_version: '2025-01-27.acacia',
      created: options.created ?? nowSeconds(),
      data: { object: this.publicView(object), ...(options.previousAttributes ? { previous_attributes: options.previousAttributes } : {}) },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    };
  }

  /** A Stripe-Signature header for `payload`, made by the SDK's own test helper. */
  sign(payload: string, options: SignOptions = {}): string {
    return this.sdk.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? this.webhookSecret,
      ...(options.timestamp !== undefined ? { timestamp: options.timestamp } : {}),
    });
  }

  /**
   * Delivers an event to the app's webhook endpoint as Stripe does: the raw JSON body, signed.
   * `signature: null` sends no Stripe-Signature header; a string sends that header as is.
   */
  deliver<T = any>(t: TestApp, event: Obj | string, options: SignOptions & { signature?: string | null; path?: string } = {}): Promise<Reply<T>> {
    const payload = typeof event === 'string' ? event : JSON.stringify(event, null, 2);
    const signature = options.signature === undefined ? this.sign(payload, options) : options.signature;
    return t.request<T>('POST', options.path ?? '/api/v2/billing/webhook', {
      raw: payload,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
        ...(signature === null ? {} : { 'stripe-signature': signature }),
      },
    });
  }
}
