// The auth plugin's mails, in every language Plinth ships (ICU messages; core/mail-language.ts).
// Sent in the recipient's `language`, else the plugin's `mailLanguage` setting.
import type { MailTemplate } from 'plinth/plugin';

export const MAILS = {
  magicLink: {
    en: {
      subject: 'Your sign-in link',
      text: 'Sign in to Plinth with this link (valid {minutes} minutes, once):\n\n{url}\n\nIf you did not ask for it, ignore this email.',
    },
    'zh-CN': {
      subject: '您的登录链接',
      text: '请使用以下链接登录 Plinth（{minutes} 分钟内有效，仅可使用一次）：\n\n{url}\n\n如果这不是您本人的请求，请忽略此邮件。',
    },
  },
  passwordReset: {
    en: {
      subject: 'Reset your password',
      text:
        'Choose a new password with this link (valid {minutes} minutes, once):\n\n{url}\n\n' +
        'If you did not ask for it, ignore this email; your password is unchanged.',
    },
    'zh-CN': {
      subject: '重置您的密码',
      text: '请使用以下链接设置新密码（{minutes} 分钟内有效，仅可使用一次）：\n\n{url}\n\n如果这不是您本人的请求，请忽略此邮件；您的密码不会改变。',
    },
  },
  verifyEmail: {
    en: {
      subject: 'Verify your email address',
      text: 'Confirm this address with this link (valid {hours, plural, one {# hour} other {# hours}}):\n\n{url}',
    },
    'zh-CN': {
      subject: '验证您的邮箱地址',
      text: '请使用以下链接确认此邮箱地址（{hours} 小时内有效）：\n\n{url}',
    },
  },
  invitation: {
    en: {
      subject: 'You are invited to {tenant}',
      text:
        'An account was made for you in "{tenant}". Choose your password with this link ' +
        '(valid {hours, plural, one {# hour} other {# hours}}, once), then sign in as {email}:\n\n{url}',
    },
    'zh-CN': {
      subject: '您受邀加入 {tenant}',
      text: '已在“{tenant}”中为您创建了账号。请使用以下链接设置密码（{hours} 小时内有效，仅可使用一次），然后以 {email} 登录：\n\n{url}',
    },
  },
  alreadyRegistered: {
    en: {
      subject: 'You already have an account',
      text: 'Someone tried to register with this address. If it was you, sign in or reset your password.',
    },
    'zh-CN': {
      subject: '您已经有账号了',
      text: '有人尝试用此邮箱地址注册。如果是您本人，请直接登录或重置密码。',
    },
  },
  newDevice: {
    en: {
      subject: 'New sign-in to your account',
      text:
        'Someone signed in to {email} on {site}:\n\n  Device:   {device}\n  Address:  {ip}\n  When:     {when} UTC\n\n' +
        'If this was you, there is nothing to do. If it was not, sign in, end that session under ' +
        'My profile → Sessions ({site}/admin/auth/profile), and change your password.',
    },
    'zh-CN': {
      subject: '您的账号有新的登录',
      text:
        '有人在 {site} 上登录了 {email}：\n\n  设备：{device}\n  地址：{ip}\n  时间：{when}（UTC）\n\n' +
        '如果是您本人，无需任何操作。如果不是，请登录后在“我的资料 → 会话”（{site}/admin/auth/profile）中结束该会话，并修改密码。',
    },
  },
  mfaDisabled: {
    en: {
      subject: 'Two-factor sign-in was turned off',
      text: 'Two-factor sign-in was turned off for your account. If this was not you, sign in and turn it on again, and change your password.',
    },
    'zh-CN': {
      subject: '两步验证登录已关闭',
      text: '您账号的两步验证登录已关闭。如果这不是您本人的操作，请登录后重新开启，并修改密码。',
    },
  },
  mfaReset: {
    en: {
      subject: 'Your two-factor sign-in was reset',
      text:
        'An administrator removed the second factor of your account and signed you out everywhere. ' +
        'Sign in again and set up two-factor sign-in on My profile. ' +
        'If you did not ask for this, tell your administrator.',
    },
    'zh-CN': {
      subject: '您的两步验证登录已被重置',
      text: '管理员移除了您账号的第二验证因素，并在所有设备上将您退出登录。请重新登录，并在“我的资料”中设置两步验证登录。如果这不是您要求的，请告知您的管理员。',
    },
  },
} satisfies Record<string, MailTemplate>;
