import { AppError } from 'plinth/plugin';
import type { HttpContext } from 'plinth/plugin';
import { requireRole } from 'plinth/plugin';
import type { PluginRouter } from 'plinth/plugin';
import { recommend } from 'plinth/plugin';
import type { MailServices } from '../services/index.js';
import { done } from './schemas.js';
import { seedTime } from './seed-time.js';
import { assignBody, createUserBody, updateUserBody, userIdParams, userMailboxesReply, usersQuery, usersReply, userView } from './admin-schemas.js';
import { MailErrors } from '../services/errors.js';
import type { MailErrorCode } from '../api.js';
// Users are auth's: its refusals (the last superadmin, suspending oneself) reach this face as they are.
import type { AuthErrorCode } from '../../auth/api.js';

const roleOf = (seedRole: 'user' | 'admin') => (seedRole === 'admin' ? 'admin' : 'member');
const seedRole = (role: string) => (role === 'member' ? 'user' : 'admin');
const meta = (ctx: HttpContext) => ({ ip: ctx.ip, userAgent: ctx.get('User-Agent') });

/**
 * The seed's user management (strictAdmin): its users are the platform's users; mailbox_limit and
 * can_send are kept by this plugin, the account itself by the auth plugin (through the container).
 * A user's `id` here is their number, the integer the seed shows (auth gives one to every user);
 * a path takes the number, or the user's UUID as before.
 */
export function userRoutes(r: PluginRouter<MailErrorCode | AuthErrorCode>, s: MailServices): void {
  const strict = [requireRole('superadmin')];
  const container = (ctx: HttpContext) => ctx.state.container;
  const users = (ctx: HttpContext) => container(ctx).resolve('authUsers');
  const passwords = (ctx: HttpContext) => container(ctx).resolve('passwords');
  const tenants = (ctx: HttpContext) => container(ctx).resolve('tenants');
  const db = (ctx: HttpContext) => container(ctx).resolve('db');
  const actor = async (ctx: HttpContext) => (await ctx.authenticate())!;
  type User = { id: string; username: string | null; email?: string | null; role: string; created_at: string };
  const view = async (ctx: HttpContext, u: User, numbers?: Map<string, number>) => {
    const rights = await s.userRights(u.id);
    return {
      id: (numbers ?? (await users(ctx).numbers([u.id]))).get(u.id)!,
      username: u.username ?? u.email,
      role: seedRole(u.role),
      mailbox_limit: rights.mailbox_limit,
      can_send: rights.can_send ? 1 : 0,
      mailbox_count: await s.mailboxes.ownedBy(u.id),
      created_at: seedTime(u.created_at),
    };
  };
  /** The user a path names, by number or UUID (404 when none). */
  const userIdOf = async (ctx: HttpContext, id: string): Promise<string> => {
    const found = /^\d+$/.test(id) ? await users(ctx).idOfNumber(Number(id)) : id;
    if (!found) throw AppError.notFound('user not found');
    return found;
  };
  /** Seed 003's statuses: out of length is 400; a common password (its own examples are) is taken, with advice. */
  const assess = (ctx: HttpContext, password: string) => {
    const advice = passwords(ctx).assess(password, 'password', 400);
    if (advice) recommend(ctx, advice);
  };

  // Sign-in by name is case-insensitive, so names that differ only in case would be ambiguous.
  const usernameFree = async (ctx: HttpContext, name: string, except?: string) => {
    const holder = await users(ctx).byUsername(name);
    if (holder && holder.id !== except) throw MailErrors.usernameTaken(name);
  };

  r.get(
    '/api/users',
    {
      summary: 'Platform users of the mail face (strict admin)',
      guards: strict,
      schema: { query: usersQuery, responses: { 200: { description: 'Users, by creation time (`sort`)', schema: usersReply } } },
    },
    async (ctx, { query }) => {
      const rows = await users(ctx).slice({ limit: query.limit, offset: query.offset, order: query.sort });
      const numbers = await users(ctx).numbers(rows.map((u) => u.id));
      return Promise.all(rows.map((u) => view(ctx, u, numbers)));
    },
  );

  r.post(
    '/api/users',
    {
      errors: { 409: ['username_taken'] },
      summary: 'Create a user who signs in to the mail face',
      guards: strict,
      schema: { body: createUserBody, responses: { 201: { description: 'The new user', schema: userView } } },
    },
    async (ctx, { body }) => {
      const principal = await actor(ctx);
      // The root token has no tenant: its users join the platform tenant (where the superadmins are).
      const tenantId = principal.tenantId ?? (await tenants(ctx).operatorId());
      if (!tenantId) throw MailErrors.noPlatformTenant();
      assess(ctx, body.password);
      await usernameFree(ctx, body.username);
      const created = await users(ctx).create(db(ctx), {
        tenantId,
        username: body.username,
        passwordHash: await passwords(ctx).hash(body.password),
        role: roleOf(body.role),
      });
      await s.setUserRights(created.id, tenantId, { mailbox_limit: body.mailboxLimit });
      ctx.status = 201;
      return view(ctx, created);
    },
  );

  r.patch(
    '/api/users/:id',
    {
      errors: { 404: ['not_found'], 409: ['username_taken'] },
      summary: "Change a user's name, password, mailbox limit, sending or role",
      guards: strict,
      schema: { params: userIdParams, body: updateUserBody, responses: { 200: { description: 'Changed', schema: done } } },
    },
    async (ctx, { params, body }) => {
      const id = await userIdOf(ctx, params.id);
      const user = await users(ctx).get(id);
      if (body.username !== undefined) await usernameFree(ctx, body.username, id);
      if (body.username !== undefined || body.role !== undefined) {
        await users(ctx).adminUpdate(
          await actor(ctx),
          id,
          { ...(body.username !== undefined ? { username: body.username } : {}), ...(body.role ? { role: roleOf(body.role) } : {}) },
          meta(ctx),
        );
      }
      if (body.password !== undefined) {
        assess(ctx, body.password);
        await users(ctx).setPasswordHash(db(ctx), id, await passwords(ctx).hash(body.password));
      }
      if (body.mailboxLimit !== undefined || body.can_send !== undefined) {
        await s.setUserRights(id, user.tenant_id, {
          ...(body.mailboxLimit !== undefined ? { mailbox_limit: body.mailboxLimit } : {}),
          ...(body.can_send !== undefined ? { can_send: Boolean(body.can_send) } : {}),
        });
      }
      return { success: true };
    },
  );

  r.delete(
    '/api/users/:id',
    {
      errors: { 404: ['not_found'], 409: ['last_superadmin'] },
      summary: 'Delete a user',
      guards: strict,
      schema: { params: userIdParams, responses: { 200: { description: 'Deleted', schema: done } } },
    },
    async (ctx, { params }) => {
      const id = await userIdOf(ctx, params.id);
      await users(ctx).remove(await actor(ctx), id, meta(ctx));
      // Their mailboxes stay (the tenant's admins still see them), without an owner; their mail rights go.
      await db(ctx)('mail_mailboxes').where('owner_user_id', id).update({ owner_user_id: null });
      await db(ctx)('mail_user_settings').where('user_id', id).delete();
      return { success: true };
    },
  );

  r.get(
    '/api/users/:id/mailboxes',
    {
      errors: { 404: ['not_found'] },
      summary: "A user's mailboxes",
      guards: strict,
      schema: { params: userIdParams, responses: { 200: { description: 'Oldest first', schema: userMailboxesReply } } },
    },
    async (ctx, { params }) => {
      const id = await userIdOf(ctx, params.id);
      await users(ctx).get(id);
      return (await s.mailboxes.listOwnedBy(id)).map((m) => ({ address: m.address, created_at: seedTime(m.created_at), is_pinned: m.is_pinned ? 1 : 0 }));
    },
  );

  for (const [path, assign] of [
    ['/api/users/assign', true],
    ['/api/users/unassign', false],
  ] as const) {
    r.post(
      path,
      {
        summary: assign ? 'Give a user a mailbox' : 'Take a mailbox from a user',
        guards: strict,
        errors: { 404: ['mailbox_not_found', 'user_not_found', 'not_assigned'], 409: ['other_tenant'] },
        schema: { body: assignBody, responses: { 200: { description: assign ? 'Assigned' : 'Unassigned', schema: done } } },
      },
      async (ctx, { body }) => {
        const user = await users(ctx).byUsername(body.username);
        if (!user) throw MailErrors.userNotFound(body.username);
        const mailbox = await db(ctx)('mail_mailboxes').where('address', body.address.trim().toLowerCase()).first('id', 'tenant_id');
        if (!mailbox) throw MailErrors.mailboxNotFound(body.address);
        // A user only ever sees mailboxes of their own tenant: another tenant's mailbox cannot be given to them,
        // and a platform-level one (no tenant) joins the user's tenant.
        if (assign && mailbox.tenant_id && mailbox.tenant_id !== user.tenant_id) throw MailErrors.mailboxOfOtherTenant(body.address);
        if (assign) await s.mailboxes.assign(body.address, user.id, null, mailbox.tenant_id ? null : user.tenant_id);
        else if (!(await db(ctx)('mail_mailboxes').where({ id: mailbox.id, owner_user_id: user.id }).update({ owner_user_id: null }))) {
          throw MailErrors.mailboxNotAssigned(body.address, body.username);
        }
        return { success: true };
      },
    );
  }
}
