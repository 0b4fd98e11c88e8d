// Realistic verification-code mails (and mails that only look like they might hold one), with the
// code a person would copy, or null. Used by the extractor's unit test and, for a handful, end to
// end over SMTP.

export interface CodeSample {
  name: string;
  subject: string;
  text: string;
  code: string | null;
}

export const CODE_SAMPLES: CodeSample[] = [
  // --- English, digits ---
  {
    name: 'GitHub device verification',
    subject: '[GitHub] Please verify your device',
    text:
      'Hey octocat!\n\nA sign in attempt requires further verification because we did not recognize your device. To complete the sign in, enter ' +
      'the verification code on the unrecognized device.\n\nDevice: Chrome on macOS\nVerification code: 583920\n\nIf you did not attempt to sign in to ' +
      'your account, your password may be compromised. Visit https://github.com/settings/security to create a new, strong password for your GitHub ' +
      'account.\n\nThanks,\nThe GitHub Team',
    code: '583920',
  },
  {
    name: 'Microsoft security code, 4 digits, masked address',
    subject: 'Microsoft account security code',
    text:
      "Please use the following security code for the Microsoft account jo*****@example.com.\n\nSecurity code: 7204\n\nIf you don't recognize the " +
      'Microsoft account jo*****@example.com, you can click https://account.live.com/dont-recognize/1234 to remove your email address from that ' +
      'account.\n\nThanks,\nThe Microsoft account team',
    code: '7204',
  },
  {
    name: 'Amazon OTP on a line of its own',
    subject: 'Your Amazon OTP',
    text:
      'To verify your identity, please use the following code:\n\n384756\n\nAmazon will never ask you to disclose or verify your password, OTP, ' +
      'credit card, or banking account number.\n\n© 1996-2024, Amazon.com, Inc. or its affiliates',
    code: '384756',
  },
  {
    name: 'code before the word, in the subject (Instagram)',
    subject: '482913 is your Instagram code',
    text:
      'Hi jane_doe,\n\nSomeone tried to log in to your Instagram account. If this was you, please use the following code to confirm your ' +
      "identity.\n\nDon't share it with anyone.",
    code: '482913',
  },
  {
    name: 'Google-style prefixed code in the subject',
    subject: 'G-482913 is your Google verification code',
    text: '',
    code: '482913',
  },
  {
    name: 'eight-digit one-time passcode',
    subject: 'Sign-in attempt',
    text: 'Your one-time passcode (OTP) is 90817263. It is valid for 5 minutes. Do not share it with anyone, including bank staff.',
    code: '90817263',
  },
  {
    name: 'PIN with a year in the footer',
    subject: 'Your card PIN reminder',
    text: 'Your PIN for this transaction is 5296.\n\n© 2024 Northwind Bank. All rights reserved. 1 Main Street, Springfield.',
    code: '5296',
  },
  {
    name: 'code in the subject, digits in a link in the body',
    subject: 'Your Zoom verification code is 112358',
    text: 'Hi there,\n\nFor help, visit https://support.zoom.us/hc/en-us/articles/360034967471 or reply to this mail.',
    code: '112358',
  },
  {
    name: 'a code that looks like a year, right after the word',
    subject: 'Verification',
    text: 'Your verification code is 1998. It expires in 10 minutes.',
    code: '1998',
  },
  // --- English, alphanumeric ---
  {
    name: 'Steam Guard alphanumeric, on its own line, IP address nearby',
    subject: 'Your Steam account: Access from new web or mobile device',
    text:
      'Dear exampleuser,\n\nHere is the Steam Guard code you need to login to account exampleuser:\n\nF7K2Q\n\nThis email was generated because of ' +
      'a login attempt from a web or mobile device located at 203.0.113.7 (US).',
    code: 'F7K2Q',
  },
  {
    name: 'lower-case alphanumeric confirmation code',
    subject: 'Confirm your X account',
    text: 'Please enter this confirmation code to get started on X: a9fk2m7q\n\nConfirmation codes expire after two hours.',
    code: 'a9fk2m7q',
  },
  // --- Chinese ---
  {
    name: 'Chinese 验证码 with full-width punctuation, no spaces',
    subject: '【阿里云】身份验证',
    text: '尊敬的用户：您正在进行身份验证，验证码为：847362，10分钟内有效，请勿泄露给他人。',
    code: '847362',
  },
  {
    name: 'Chinese 验证码 with ASCII punctuation (a comma, then minutes)',
    subject: '【某某科技】注册验证',
    text: '您正在注册某某账号,验证码为:629174,10分钟内有效。',
    code: '629174',
  },
  {
    name: 'Chinese 校验码 glued to the text',
    subject: '【腾讯云】校验码',
    text: '校验码5831,请于5分钟内完成验证。如非本人操作,请忽略本邮件。',
    code: '5831',
  },
  {
    name: 'Chinese: code before the word, in brackets',
    subject: '登录提醒',
    text: '【美团】328491(登录验证码),请在5分钟内完成登录。2024年3月15日',
    code: '328491',
  },
  {
    name: 'Chinese alphanumeric code',
    subject: '邮箱验证',
    text: '您好!您的邮箱验证码是:a8K3dQ,有效期 30 分钟。',
    code: 'a8K3dQ',
  },
  // --- Japanese ---
  {
    name: 'Japanese 認証コード',
    subject: '【メルカリ】認証コードのお知らせ',
    text: 'メルカリをご利用いただきありがとうございます。\n認証コード：428517\nこのコードの有効期限は30分です。',
    code: '428517',
  },
  {
    name: 'Japanese 確認コード inside a sentence',
    subject: 'ログインの確認',
    text: 'ログイン確認コードは「0392」です。このメールに心当たりがない場合は破棄してください。',
    code: '0392',
  },
  // --- Korean ---
  {
    name: 'Korean 인증번호 in brackets',
    subject: '[네이버] 인증번호 안내',
    text: '[네이버] 인증번호 [738201]를 입력해주세요.',
    code: '738201',
  },
  {
    name: 'Korean 인증번호 glued to the particle',
    subject: '본인확인',
    text: '본인확인 인증번호는 4829입니다. 타인에게 절대 알려주지 마세요.',
    code: '4829',
  },
  // --- Spanish ---
  {
    name: 'Spanish código de verificación',
    subject: 'Tu código de verificación',
    text: 'Hola:\n\nTu código de verificación es 530912. Caduca en 15 minutos.\n\nSi no has solicitado este código, ignora este correo.',
    code: '530912',
  },
  // --- Russian ---
  {
    name: 'Russian код подтверждения',
    subject: 'Код подтверждения',
    text: 'Ваш код подтверждения: 7741. Никому не сообщайте этот код.',
    code: '7741',
  },
  {
    name: 'Russian код для входа, 6 digits',
    subject: 'Вход в аккаунт',
    text: 'Код для входа в Яндекс ID: 218394\nЕсли вы не запрашивали код, просто проигнорируйте это письмо.',
    code: '218394',
  },

  // --- negatives ---
  {
    name: 'newsletter full of numbers, the word "password" in passing',
    subject: 'Top 10 security tips for 2024',
    text: 'This month: how to choose a strong password. Read more at blog.example.com/2024/tips. 3500 readers liked this post, and 1200 shared it.',
    code: null,
  },
  {
    name: 'order confirmation: order number, price, date',
    subject: 'Your order #4839201 has shipped',
    text:
      'Thanks for your order! Order number: 4839201. Total: $1,249.99. Estimated delivery: 2024-03-15. Use the access code on your delivery notice ' +
      'to track it.',
    code: null,
  },
  {
    name: 'invoice number and amount',
    subject: 'Invoice 48213 from Acme',
    text: 'Invoice number: 48213\nAmount due: 1250 USD\nDue date: 03/31/2024\nPay with your security code at https://pay.acme.example/i/48213',
    code: null,
  },
  {
    name: 'phone numbers near the word "code"',
    subject: 'Did not get your code?',
    text: 'Did not receive your security code? Call us at +1 (800) 555-0199 or 800-555-0199, Monday to Friday.',
    code: null,
  },
  {
    name: 'price near the word "code"',
    subject: 'Special offer',
    text: 'Enter your code at checkout and pay only €1299 for the year, or 2500 USD for life.',
    code: null,
  },
  {
    name: 'date and time near the word "code"',
    subject: 'Reminder',
    text: 'Your access code will expire on 2024-12-31 at 23:59. Request a new one from your dashboard.',
    code: null,
  },
  {
    name: 'years only',
    subject: 'The 2025 access code program',
    text: 'The access code program starts in March 2025 and runs through 2026.',
    code: null,
  },
  {
    name: 'digits inside a URL',
    subject: 'Reset your password',
    text: 'Reset your password here: https://example.com/reset?token=839201&uid=5521\nThe link expires in one hour.',
    code: null,
  },
  {
    name: 'digits inside domains',
    subject: 'Your access code works on our sites',
    text: 'Your access code works on www.4399.com and m.4399.com as well as login.web2024.cn.',
    code: null,
  },
  {
    name: 'digits inside an email address',
    subject: 'Login code sent',
    text: "Your login code was sent to john2468@example.com. If you didn't ask for it, ignore this mail.",
    code: null,
  },
  {
    name: 'Chinese bank notice: card tail number, amount, service number',
    subject: '【招商银行】消费提醒',
    text: '您尾号8841的信用卡消费2680元。如非本人操作请致电95555。验证码请勿泄露给任何人。',
    code: null,
  },
  {
    name: 'Chinese order number',
    subject: '订单发货通知',
    text: '您的订单号 20240315 已发货,订单编号:58213。验证码请勿告诉他人。',
    code: null,
  },
  {
    name: 'Japanese order number',
    subject: 'ご注文ありがとうございます',
    text: 'ご注文番号:250318 のご注文を承りました。確認コードは別途メールでお送りします。',
    code: null,
  },
  {
    name: 'Spanish postal code and order number',
    subject: 'Tu pedido ha sido enviado',
    text: 'Tu pedido número 58213 ha sido enviado a Calle Mayor 5, código postal 28013, Madrid.',
    code: null,
  },
  {
    name: 'Russian order number and amount',
    subject: 'Заказ оформлен',
    text: 'Заказ № 583920 оформлен. Код отслеживания придёт позже. Сумма: 1500 руб.',
    code: null,
  },
  {
    name: 'promo and zip codes are not verification codes',
    subject: 'Spring sale',
    text: 'Use promo code SPRING24 at checkout. Free shipping to zip code 94103 and error code 5003 is fixed.',
    code: null,
  },
  {
    name: 'card ending in 4242',
    subject: 'Payment received',
    text: 'Your card ending in 4242 was charged $20.00. Your PIN was not changed.',
    code: null,
  },
  {
    name: 'an expired-code notice without a code',
    subject: 'Your verification code has expired',
    text: 'Your verification code has expired. Please request a new one. Support ticket 77812 is closed.',
    code: null,
  },
];
