import type { FaceCatalogue } from 'plinth/plugin';

/**
 * Seed 002's own wording, for the English the routes answer with: the license server answers in
 * the document's language (Chinese) unless Accept-Language prefers English. Only what the document
 * words for the very situation: the verify example's messages, and the code table where a code names
 * one situation (a missing code or email, a key that is not valid). Everything else stays as the
 * routes say it (the code and `reason` carry the cause); error codes never change.
 */
export const LICENSE_MESSAGES: FaceCatalogue = {
  language: 'zh',
  messages: {
    'license verified': '许可证验证成功', // POST /api/verify, success
    // POST /api/verify's failure example: a code that does not exist, or was stopped.
    'the activation code does not exist or does not match this email': '激活码不存在或已停用',
    'this license has been revoked': '激活码不存在或已停用',
    'this license has been disabled': '激活码不存在或已停用',
    'invalid API key': 'API密钥无效', // INVALID_API_KEY
  },
  errors: {
    MISSING_LICENSE: '激活码不能为空',
    MISSING_EMAIL: '邮箱不能为空',
  },
};
