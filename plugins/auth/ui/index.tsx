// The auth plugin's admin pages, keyed by the page paths of its manifest (plugins/auth/index.ts).
import { addMessages } from 'plinth/plugin/ui';
import en from './messages/en.json' with { type: 'json' };
import zhCN from './messages/zh-CN.json' with { type: 'json' };
import { ForgotPasswordPage, MagicLinkPage, ResetPasswordPage, VerifyEmailPage } from './account.js';
import { ApiKeysPage } from './api-keys.js';
import { AuditPage } from './audit.js';
import { BackupsPage } from './backups.js';
import { ChangePasswordPage } from './change-password.js';
import { PasskeySignInPage } from './passkey-sign-in.js';
import { ProfilePage } from './profile.js';
import { RegisterPage } from './register.js';
import { SetupPage } from './setup.js';
import { TenantPage } from './tenant.js';
import { TenantsPage } from './tenants.js';
import { UsersPage } from './users.js';

addMessages({ en, 'zh-CN': zhCN });

export const pages = {
  profile: ProfilePage,
  'change-password': ChangePasswordPage,
  'api-keys': ApiKeysPage,
  users: UsersPage,
  tenants: TenantsPage,
  tenant: TenantPage,
  audit: AuditPage,
  backups: BackupsPage,
  // public: no session needed
  'forgot-password': ForgotPasswordPage,
  'reset-password': ResetPasswordPage,
  'verify-email': VerifyEmailPage,
  'magic-link': MagicLinkPage,
  register: RegisterPage,
  setup: SetupPage,
  passkey: PasskeySignInPage,
};
