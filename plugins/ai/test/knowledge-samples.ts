// The builtin responder's sample knowledge base (a shop's customer service, in Chinese and
// English) and questions phrased the way customers write them: other words than the stored
// question, typos, no punctuation. Each names the entry it must get (null: the fallback answer).

export interface SampleEntry {
  key: string;
  kind?: 'faq' | 'keyword';
  question: string;
  answer: string;
  keywords?: string[];
  priority?: number;
  enabled?: boolean;
}

export const SAMPLE_ENTRIES: SampleEntry[] = [
  { key: 'zh_hours', question: '你们的营业时间是什么？', answer: '我们每天上午9点到晚上9点营业，节假日照常。', keywords: ['营业时间', '几点开门', '关门'] },
  {
    key: 'zh_refund',
    question: '如何申请退货退款？',
    answer: '收到商品7天内可在订单页申请退货，审核通过后3-5个工作日原路退款。',
    keywords: ['退货', '退款', '退钱'],
  },
  { key: 'zh_shipping', question: '运费怎么算？', answer: '订单满99元包邮，不满99元收取运费8元。', keywords: ['运费', '邮费', '包邮'] },
  { key: 'zh_delivery', question: '下单后多久发货？', answer: '付款后24小时内发货，一般2到4天送达。', keywords: ['发货', '快递', '到货'] },
  { key: 'zh_password', question: '忘记密码怎么办？', answer: '在登录页点击“忘记密码”，用手机验证码即可重置密码。', keywords: ['密码', '找回'] },
  { key: 'zh_invoice', question: '可以开发票吗？', answer: '可以。在订单详情页点击“申请发票”，电子发票会发到您的邮箱。', keywords: ['发票', '开票', '报销'] },
  { key: 'zh_contact', question: '怎么联系客服？', answer: '请拨打客服热线400-123-4567，或在App里点击“在线客服”。', keywords: ['客服', '电话', '人工'] },
  { key: 'zh_payment', question: '支持哪些支付方式？', answer: '支持微信支付、支付宝和银行卡。', keywords: ['付款', '支付', '微信', '支付宝'] },
  { key: 'zh_address', question: '下单后可以修改收货地址吗？', answer: '发货前可在订单详情页修改收货地址，发货后请联系客服。', keywords: ['地址', '收货地址'] },
  { key: 'zh_member', question: '会员有什么权益？', answer: '会员享受全场95折、生日礼包和专属客服。', keywords: ['会员', '积分'] },
  {
    key: 'en_hours',
    question: 'What are your business hours?',
    answer: 'We are open every day from 9 am to 9 pm, holidays included.',
    keywords: ['hours', 'open', 'opening'],
  },
  {
    key: 'en_refund',
    question: 'How do I return an item and get a refund?',
    answer: 'Request a return on the order page within 7 days; the refund reaches your card in 3-5 business days.',
    keywords: ['return', 'refund', 'money back'],
  },
  {
    key: 'en_shipping',
    question: 'How much does shipping cost?',
    answer: 'Shipping is free on orders over $99, otherwise a flat $8.',
    keywords: ['shipping', 'postage', 'delivery fee'],
  },
  {
    key: 'en_delivery',
    question: 'How long does delivery take?',
    answer: 'Orders leave our warehouse within 24 hours and usually arrive in 2-4 days.',
    keywords: ['delivery', 'arrive', 'package'],
  },
  {
    key: 'en_password',
    question: 'I forgot my password, how do I reset it?',
    answer: 'Click "Forgot password" on the sign-in page and follow the link we email you.',
    keywords: ['password', 'reset', 'login'],
  },
  {
    key: 'en_invoice',
    question: 'Can I get an invoice for my order?',
    answer: 'Yes: open the order and click "Request invoice"; we email you a PDF.',
    keywords: ['invoice', 'receipt', 'vat'],
  },
  {
    key: 'en_contact',
    question: 'How can I talk to a human agent?',
    answer: 'Call 400-123-4567 or use the live chat in the app.',
    keywords: ['human', 'agent', 'support'],
  },
  {
    key: 'en_payment',
    question: 'Which payment methods do you accept?',
    answer: 'We accept Visa, Mastercard, PayPal, WeChat Pay and Alipay.',
    keywords: ['payment', 'card', 'paypal'],
  },
  {
    key: 'en_address',
    question: 'Can I change my shipping address after ordering?',
    answer: 'Until the order ships you can change the address on the order page.',
    keywords: ['address'],
  },
  {
    key: 'en_cancel',
    question: 'How do I cancel my order?',
    answer: 'Orders can be cancelled on the order page until they ship.',
    keywords: ['cancel', 'cancellation'],
  },
  // Keyword rules: they answer outright, whatever the ranking says.
  {
    key: 'kw_complaint',
    kind: 'keyword',
    question: 'Complaints',
    answer: '很抱歉给您带来不便，投诉专员会尽快联系您。We are sorry; a complaints officer will contact you shortly.',
    keywords: ['投诉', 'complaint'],
    priority: 10,
  },
  {
    key: 'kw_human',
    kind: 'keyword',
    question: 'Hand over to a person',
    answer: '正在为您转接人工客服，请稍候。',
    keywords: ['转人工', '人工客服'],
    priority: 5,
  },
  { key: 'kw_coupon', kind: 'keyword', question: 'Promotions', answer: '本月全场满200减20。', keywords: ['优惠'] },
  { key: 'kw_coupon_code', kind: 'keyword', question: 'Coupon codes', answer: '新用户注册即送10元优惠券，在“我的-优惠券”查看。', keywords: ['优惠券'] },
  { key: 'kw_vip', kind: 'keyword', question: 'VIP line', answer: 'VIP customers: call 400-888-8888.', keywords: ['VIP'], priority: 1 },
  // Disabled entries never answer.
  { key: 'off_weather', question: '今天天气怎么样？', answer: '(disabled) sunny', keywords: ['天气'], enabled: false },
];

/** [question, the key of the entry that must answer it, or null for the fallback]. */
export const SAMPLE_QUESTIONS: Array<[string, string | null]> = [
  // Chinese, phrased otherwise than the stored question
  ['你们几点开门', 'zh_hours'],
  ['退货要多久', 'zh_refund'],
  ['邮费多少钱', 'zh_shipping'],
  ['什么时候能发货', 'zh_delivery'],
  ['密码忘了怎么重置', 'zh_password'],
  ['我要开发票', 'zh_invoice'],
  ['怎么找人工', 'zh_contact'],
  ['能用支付宝付款吗', 'zh_payment'],
  ['收货地址填错了能改吗', 'zh_address'],
  ['会员积分有什么用', 'zh_member'],
  ['退款多久能到账', 'zh_refund'],
  // English, with typos
  ['how can i reset my pasword', 'en_password'],
  ['what time do you open?', 'en_hours'],
  ['whats the shiping cost', 'en_shipping'],
  ['I want my money back', 'en_refund'],
  ['when will my package arrive', 'en_delivery'],
  ['do you accept paypal', 'en_payment'],
  ['I need a receipt for my purchase', 'en_invoice'],
  ['is there a human I can talk to', 'en_contact'],
  ['how do i cancel an order', 'en_cancel'],
  ['wrong adress, can I change it', 'en_address'],
  ['opening hours on weekends?', 'en_hours'],
  ['refunds take how long?', 'en_refund'],
  // Keyword rules beat the ranking: priority first, then the longest keyword
  ['我要投诉，退款太慢了', 'kw_complaint'],
  ['帮我转人工', 'kw_human'],
  ['转人工！我要投诉', 'kw_complaint'],
  ['有优惠券吗', 'kw_coupon_code'],
  ['最近有什么优惠', 'kw_coupon'],
  ['I want to file a COMPLAINT about shipping', 'kw_complaint'],
  ['我是vip会员', 'kw_vip'],
  ['ＶＩＰ hotline please', 'kw_vip'],
  // Nothing fits: the fallback answer
  ['今天天气怎么样', null],
  ['what is the capital of france', null],
  ['asdfgh qwerty', null],
  ['any vipassana retreats nearby', null],
];
