import type { FaceCatalogue } from 'plinth/plugin';

/**
 * Seed 003's own wording, for the English the routes answer with: the face answers in the document's
 * language (Chinese) unless Accept-Language prefers English. Only what the document words is here;
 * everything else (its errors show only a placeholder) stays as the routes say it.
 */
export const MAIL_MESSAGES: FaceCatalogue = {
  language: 'zh',
  fields: ['message', 'note'],
  messages: {
    'password changed': '密码修改成功', // PUT /api/mailbox/password
    'email deleted': '邮件已删除', // DELETE /api/email/:id
    'administrators have no mailbox limit': '管理员无邮箱数量限制', // GET /api/user/quota (an administrator)
  },
};
