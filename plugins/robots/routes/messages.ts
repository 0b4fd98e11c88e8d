import type { FaceCatalogue } from 'plinth/plugin';

/**
 * Seed 004's own wording, for the English the routes answer with: the WorkBot face answers in the
 * document's language (Chinese) unless Accept-Language prefers English. Only what the document words
 * is here (replies beside the seed, and errors it does not word, stay as the routes say them); the
 * system log (9.1) is worded by the same catalogue when it is read.
 */
export const WORKBOT_MESSAGES: FaceCatalogue = {
  language: 'zh',
  messages: {
    'code sent': '验证码已发送', // 1.1
    'logged in': '登录成功', // 1.2
    activated: '激活成功', // 2.1, 201
    'activated (tokens renewed)': '激活成功（已更新Token）', // 2.1, 200
    created: '创建成功', // 3.3
    updated: '更新成功', // 3.4
    deleted: '删除成功', // 3.5
    'message received': '消息已接收', // 4.1
    'command queued': '指令已下发', // 4.2, 5.3
    'result recorded': '结果已记录', // 4.4
    configured: '配置成功', // 5.1
    generated: '生成成功', // 6.1
    unbound: '解绑成功', // 6.3
    disabled: '禁用成功', // 6.4, 7.2
    'activation code not found': '激活码不存在', // 2.1 (and 9.1's logged example), also rows logged before INVALID_CODE
  },
  errors: {
    INVALID_CODE: '激活码不存在', // 2.1 with a code that does not exist (9.1's logged example)
    code_in_use: '激活码已被其他设备使用，请联系管理员解绑', // 2.1, 409
    rate_limited: '请求过于频繁，请稍后重试', // 429
  },
};
