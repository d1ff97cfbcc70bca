// Attaché customer chat page.
//
// Plain JavaScript with no build step and no third-party code. It speaks the
// public API only:
//   POST /v1/conversations                    start a conversation
//   GET  /v1/conversations/{id}               the transcript (on reload)
//   POST /v1/conversations/{id}/messages      send a turn (idempotent by turn_id)
//   GET  /v1/conversations/{id}/events        server-sent events: message, token, turn
//   POST /v1/conversations/{id}/csat          the post-chat survey's answer
// Messages are deduplicated by id, because one can arrive both in a POST
// response and on the event stream.
'use strict';

(() => {
  const API = '/v1/conversations';
  // A shop's logged-in page opens the chat as /#identity_token=<signed token>, so that the
  // agent knows the customer without asking. The hash never reaches a server or its logs,
  // and it is removed from the address at once.
  const IDENTITY_TOKEN = (() => {
    const m = /(?:^#|&)identity_token=([^&]+)/.exec(location.hash);
    if (!m) return '';
    history.replaceState(null, '', location.pathname + location.search);
    return decodeURIComponent(m[1]);
  })();
  const STORAGE_KEY = 'attache.conversation';
  const RTL = new Set(['ar', 'he', 'iw', 'fa', 'ur', 'ps', 'sd', 'ug', 'yi', 'dv', 'ckb']);
  // Waits before a turn is sent again after a network failure, a 429 or a 502-504.
  const NETWORK_RETRY_MS = [500, 1000, 2000, 4000, 8000, 15000, 15000, 15000];
  // Waits for a reply on the event stream after a 202, before asking again.
  const PENDING_RETRY_MS = [1500, 3000, 5000, 8000, 13000, 20000];

  // The label of the AI badge, keyed by the language of the message it marks.
  const AI_LABEL = {
    en: 'AI-generated',
    es: 'Generado por IA',
    de: 'KI-generiert',
    fr: 'Généré par IA',
    pt: 'Gerado por IA',
    ar: 'تم إنشاؤه بواسطة الذكاء الاصطناعي',
    th: 'สร้างโดย AI',
    vi: 'Do AI tạo',
    id: 'Dibuat oleh AI',
    ja: 'AI生成',
    zh: 'AI 生成',
  };

  // The page's own words, keyed by the browser's language.
  const UI = {
    en: {
      title: 'Support chat', subtitle: 'AI assistant · a person can take over',
      label: 'Your message', placeholder: 'Type your message…', hint: 'Enter sends, Shift+Enter adds a new line.',
      send: 'Send', typing: 'The assistant is typing…', you: 'You', assistant: 'Assistant', agent: 'Support agent',
      offline: 'Connection lost. Trying again…',
      failed: 'Your message could not be sent. Please try again.',
      turnFailed: 'Sorry, something went wrong with the reply. Please try again.',
      endChat: 'End chat', surveyTitle: 'How did we do?',
      survey1: 'Very bad', survey2: 'Bad', survey3: 'OK', survey4: 'Good', survey5: 'Very good',
      surveyComment: 'Anything to add? (optional)', surveySend: 'Send', surveyLater: 'Not now',
      surveyThanks: 'Thank you for your feedback!',
      surveyFailed: 'Your rating could not be sent. Please try again.',
    },
    es: {
      title: 'Chat de ayuda', subtitle: 'Asistente con IA · una persona puede intervenir',
      label: 'Tu mensaje', placeholder: 'Escribe tu mensaje…', hint: 'Intro envía; Mayús+Intro añade una línea.',
      send: 'Enviar', typing: 'El asistente está escribiendo…', you: 'Tú', assistant: 'Asistente', agent: 'Agente de soporte',
      offline: 'Se perdió la conexión. Reintentando…',
      failed: 'No se pudo enviar tu mensaje. Inténtalo de nuevo.',
      turnFailed: 'Lo sentimos, algo salió mal con la respuesta. Inténtalo de nuevo.',
      endChat: 'Finalizar chat', surveyTitle: '¿Qué tal te atendimos?',
      survey1: 'Muy mal', survey2: 'Mal', survey3: 'Regular', survey4: 'Bien', survey5: 'Muy bien',
      surveyComment: '¿Algo que añadir? (opcional)', surveySend: 'Enviar', surveyLater: 'Ahora no',
      surveyThanks: '¡Gracias por tu opinión!',
      surveyFailed: 'No se pudo enviar tu valoración. Inténtalo de nuevo.',
    },
    de: {
      title: 'Support-Chat', subtitle: 'KI-Assistent · ein Mensch kann übernehmen',
      label: 'Ihre Nachricht', placeholder: 'Nachricht eingeben…', hint: 'Eingabetaste sendet, Umschalt+Eingabetaste fügt eine neue Zeile ein.',
      send: 'Senden', typing: 'Der Assistent schreibt…', you: 'Sie', assistant: 'Assistent', agent: 'Support-Team',
      offline: 'Verbindung unterbrochen. Neuer Versuch…',
      failed: 'Ihre Nachricht konnte nicht gesendet werden. Bitte versuchen Sie es erneut.',
      turnFailed: 'Leider ist bei der Antwort etwas schiefgelaufen. Bitte versuchen Sie es erneut.',
      endChat: 'Chat beenden', surveyTitle: 'Wie zufrieden waren Sie?',
      survey1: 'Sehr schlecht', survey2: 'Schlecht', survey3: 'Okay', survey4: 'Gut', survey5: 'Sehr gut',
      surveyComment: 'Möchten Sie etwas ergänzen? (optional)', surveySend: 'Senden', surveyLater: 'Nicht jetzt',
      surveyThanks: 'Vielen Dank für Ihr Feedback!',
      surveyFailed: 'Ihre Bewertung konnte nicht gesendet werden. Bitte versuchen Sie es erneut.',
    },
    fr: {
      title: 'Chat d’assistance', subtitle: 'Assistant IA · un conseiller peut prendre le relais',
      label: 'Votre message', placeholder: 'Écrivez votre message…', hint: 'Entrée pour envoyer, Maj+Entrée pour aller à la ligne.',
      send: 'Envoyer', typing: 'L’assistant écrit…', you: 'Vous', assistant: 'Assistant', agent: 'Conseiller',
      offline: 'Connexion perdue. Nouvelle tentative…',
      failed: 'Votre message n’a pas pu être envoyé. Veuillez réessayer.',
      turnFailed: 'Désolé, un problème est survenu avec la réponse. Veuillez réessayer.',
      endChat: 'Terminer le chat', surveyTitle: 'Êtes-vous satisfait de notre aide ?',
      survey1: 'Très mauvais', survey2: 'Mauvais', survey3: 'Correct', survey4: 'Bien', survey5: 'Très bien',
      surveyComment: 'Un commentaire ? (facultatif)', surveySend: 'Envoyer', surveyLater: 'Pas maintenant',
      surveyThanks: 'Merci pour votre avis !',
      surveyFailed: 'Votre note n’a pas pu être envoyée. Veuillez réessayer.',
    },
    pt: {
      title: 'Chat de atendimento', subtitle: 'Assistente de IA · uma pessoa pode assumir',
      label: 'Sua mensagem', placeholder: 'Digite sua mensagem…', hint: 'Enter envia, Shift+Enter adiciona uma nova linha.',
      send: 'Enviar', typing: 'O assistente está digitando…', you: 'Você', assistant: 'Assistente', agent: 'Atendente',
      offline: 'Conexão perdida. Tentando novamente…',
      failed: 'Não foi possível enviar sua mensagem. Tente novamente.',
      turnFailed: 'Desculpe, algo deu errado com a resposta. Tente novamente.',
      endChat: 'Encerrar chat', surveyTitle: 'Como foi o nosso atendimento?',
      survey1: 'Muito ruim', survey2: 'Ruim', survey3: 'Regular', survey4: 'Bom', survey5: 'Muito bom',
      surveyComment: 'Quer acrescentar algo? (opcional)', surveySend: 'Enviar', surveyLater: 'Agora não',
      surveyThanks: 'Obrigado pela sua avaliação!',
      surveyFailed: 'Não foi possível enviar sua avaliação. Tente novamente.',
    },
    ar: {
      title: 'دردشة الدعم', subtitle: 'مساعد ذكاء اصطناعي · يمكن لموظف أن يتولى المحادثة',
      label: 'رسالتك', placeholder: 'اكتب رسالتك…', hint: 'اضغط Enter للإرسال، وShift+Enter لسطر جديد.',
      send: 'إرسال', typing: 'المساعد يكتب…', you: 'أنت', assistant: 'المساعد', agent: 'موظف الدعم',
      offline: 'انقطع الاتصال. جارٍ إعادة المحاولة…',
      failed: 'تعذّر إرسال رسالتك. يُرجى المحاولة مرة أخرى.',
      turnFailed: 'عذرًا، حدث خطأ في الرد. يُرجى المحاولة مرة أخرى.',
      endChat: 'إنهاء المحادثة', surveyTitle: 'ما تقييمك لخدمتنا؟',
      survey1: 'سيئ جدًا', survey2: 'سيئ', survey3: 'مقبول', survey4: 'جيد', survey5: 'جيد جدًا',
      surveyComment: 'هل تود إضافة شيء؟ (اختياري)', surveySend: 'إرسال', surveyLater: 'ليس الآن',
      surveyThanks: 'شكرًا على ملاحظاتك!',
      surveyFailed: 'تعذّر إرسال تقييمك. يُرجى المحاولة مرة أخرى.',
    },
    th: {
      title: 'แชทฝ่ายบริการลูกค้า', subtitle: 'ผู้ช่วย AI · เจ้าหน้าที่สามารถรับช่วงต่อได้',
      label: 'ข้อความของคุณ', placeholder: 'พิมพ์ข้อความของคุณ…', hint: 'กด Enter เพื่อส่ง กด Shift+Enter เพื่อขึ้นบรรทัดใหม่',
      send: 'ส่ง', typing: 'ผู้ช่วยกำลังพิมพ์…', you: 'คุณ', assistant: 'ผู้ช่วย', agent: 'เจ้าหน้าที่',
      offline: 'การเชื่อมต่อขาดหาย กำลังลองใหม่…',
      failed: 'ไม่สามารถส่งข้อความของคุณได้ โปรดลองอีกครั้ง',
      turnFailed: 'ขออภัย เกิดข้อผิดพลาดในการตอบกลับ โปรดลองอีกครั้ง',
      endChat: 'จบการสนทนา', surveyTitle: 'เราให้บริการเป็นอย่างไรบ้าง',
      survey1: 'แย่มาก', survey2: 'แย่', survey3: 'พอใช้', survey4: 'ดี', survey5: 'ดีมาก',
      surveyComment: 'มีอะไรเพิ่มเติมไหม (ไม่บังคับ)', surveySend: 'ส่ง', surveyLater: 'ไว้ทีหลัง',
      surveyThanks: 'ขอบคุณสำหรับความคิดเห็นของคุณ',
      surveyFailed: 'ไม่สามารถส่งคะแนนของคุณได้ โปรดลองอีกครั้ง',
    },
    vi: {
      title: 'Trò chuyện hỗ trợ', subtitle: 'Trợ lý AI · nhân viên có thể tiếp quản',
      label: 'Tin nhắn của bạn', placeholder: 'Nhập tin nhắn…', hint: 'Enter để gửi, Shift+Enter để xuống dòng.',
      send: 'Gửi', typing: 'Trợ lý đang soạn tin…', you: 'Bạn', assistant: 'Trợ lý', agent: 'Nhân viên hỗ trợ',
      offline: 'Mất kết nối. Đang thử lại…',
      failed: 'Không gửi được tin nhắn của bạn. Vui lòng thử lại.',
      turnFailed: 'Xin lỗi, đã xảy ra lỗi khi trả lời. Vui lòng thử lại.',
      endChat: 'Kết thúc trò chuyện', surveyTitle: 'Bạn đánh giá chúng tôi thế nào?',
      survey1: 'Rất tệ', survey2: 'Tệ', survey3: 'Bình thường', survey4: 'Tốt', survey5: 'Rất tốt',
      surveyComment: 'Bạn muốn góp ý thêm? (không bắt buộc)', surveySend: 'Gửi', surveyLater: 'Để sau',
      surveyThanks: 'Cảm ơn bạn đã góp ý!',
      surveyFailed: 'Không gửi được đánh giá của bạn. Vui lòng thử lại.',
    },
    id: {
      title: 'Chat bantuan', subtitle: 'Asisten AI · petugas dapat mengambil alih',
      label: 'Pesan Anda', placeholder: 'Ketik pesan Anda…', hint: 'Enter untuk mengirim, Shift+Enter untuk baris baru.',
      send: 'Kirim', typing: 'Asisten sedang mengetik…', you: 'Anda', assistant: 'Asisten', agent: 'Petugas layanan',
      offline: 'Koneksi terputus. Mencoba lagi…',
      failed: 'Pesan Anda tidak dapat dikirim. Silakan coba lagi.',
      turnFailed: 'Maaf, terjadi kesalahan pada balasan. Silakan coba lagi.',
      endChat: 'Akhiri chat', surveyTitle: 'Bagaimana layanan kami?',
      survey1: 'Sangat buruk', survey2: 'Buruk', survey3: 'Cukup', survey4: 'Baik', survey5: 'Sangat baik',
      surveyComment: 'Ada yang ingin ditambahkan? (opsional)', surveySend: 'Kirim', surveyLater: 'Nanti saja',
      surveyThanks: 'Terima kasih atas masukan Anda!',
      surveyFailed: 'Penilaian Anda tidak dapat dikirim. Silakan coba lagi.',
    },
    ja: {
      title: 'サポートチャット', subtitle: 'AIアシスタント・担当者に交代できます',
      label: 'メッセージ', placeholder: 'メッセージを入力…', hint: 'Enterで送信、Shift+Enterで改行します。',
      send: '送信', typing: 'アシスタントが入力中…', you: 'あなた', assistant: 'アシスタント', agent: '担当者',
      offline: '接続が切れました。再試行しています…',
      failed: 'メッセージを送信できませんでした。もう一度お試しください。',
      turnFailed: '申し訳ありません。返信中に問題が発生しました。もう一度お試しください。',
      endChat: 'チャットを終了', surveyTitle: '対応はいかがでしたか？',
      survey1: 'とても悪い', survey2: '悪い', survey3: '普通', survey4: '良い', survey5: 'とても良い',
      surveyComment: 'ご意見があればお書きください（任意）', surveySend: '送信', surveyLater: '今はしない',
      surveyThanks: 'ご意見ありがとうございました。',
      surveyFailed: '評価を送信できませんでした。もう一度お試しください。',
    },
    zh: {
      title: '客服聊天', subtitle: 'AI 助手 · 可转接人工客服',
      label: '您的消息', placeholder: '输入消息…', hint: '按 Enter 发送，按 Shift+Enter 换行。',
      send: '发送', typing: '助手正在输入…', you: '您', assistant: '助手', agent: '客服人员',
      offline: '连接已断开，正在重试…',
      failed: '消息发送失败，请重试。',
      turnFailed: '抱歉，回复时出现问题，请重试。',
      endChat: '结束聊天', surveyTitle: '您对我们的服务满意吗？',
      survey1: '非常差', survey2: '差', survey3: '一般', survey4: '好', survey5: '非常好',
      surveyComment: '还有什么想补充的吗？（可选）', surveySend: '提交', surveyLater: '以后再说',
      surveyThanks: '感谢您的反馈！',
      surveyFailed: '评分提交失败，请重试。',
    },
  };

  const locale = navigator.language || 'en';
  const uiLang = base(locale) in UI ? base(locale) : 'en';
  const ui = (key) => UI[uiLang][key] || UI.en[key];
  const timeFormat = new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' });

  const transcript = document.getElementById('transcript');
  const composer = document.getElementById('composer');
  const textarea = composer.querySelector('textarea');
  const errorLine = document.getElementById('error');
  const typing = document.getElementById('typing');

  const state = {
    id: null, // conversation id
    starting: null, // promise of the conversation being opened
    events: null, // EventSource
    queue: Promise.resolve(), // turns are sent one after another, in order
    seen: new Map(), // message id -> element
    live: new Map(), // message id, or turn id, -> {el, text, turn} of a reply being streamed
    pending: new Map(), // turn id -> the customer's bubble not yet confirmed
    active: new Set(), // turn ids waiting for a reply
    done: new Set(), // turn ids answered or finished
    waiters: new Map(), // turn id -> callback when its reply arrives
  };

  // ---- helpers -------------------------------------------------------------

  function base(tag) {
    return String(tag || '').toLowerCase().split(/[-_]/)[0];
  }

  function setLang(el, lang) {
    if (lang) {
      el.lang = lang;
      el.dir = RTL.has(base(lang)) ? 'rtl' : 'ltr';
    } else {
      el.dir = 'auto';
    }
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  function parse(data) {
    try {
      return JSON.parse(data);
    } catch {
      return null;
    }
  }

  // newTurnID returns a random UUID; crypto.randomUUID exists only in secure
  // contexts, so plain-HTTP deployments fall back to getRandomValues.
  function newTurnID() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  const storage = {
    get() {
      try { return sessionStorage.getItem(STORAGE_KEY); } catch { return null; }
    },
    set(id) {
      try { sessionStorage.setItem(STORAGE_KEY, id); } catch { /* private mode: no reuse on reload */ }
    },
    clear() {
      try { sessionStorage.removeItem(STORAGE_KEY); } catch { /* nothing stored */ }
    },
  };

  // The error line stays in the page, empty when there is nothing to say, so
  // that screen readers announce what is written into it.
  function showError(text) {
    errorLine.textContent = text;
  }

  function clearError() {
    errorLine.textContent = '';
    textarea.removeAttribute('aria-invalid');
  }

  function clearOffline() {
    if (errorLine.textContent === ui('offline')) clearError();
  }

  // readProblem returns what to tell the customer about a failed response:
  // the problem's detail, else its title, else a generic sentence.
  async function readProblem(res) {
    const p = await res.json().catch(() => null);
    return {
      text: (p && (p.detail || p.title)) || ui('failed'),
      errors: p && Array.isArray(p.errors) ? p.errors : [],
    };
  }

  // ---- rendering -----------------------------------------------------------

  function nearBottom() {
    return transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 80;
  }

  function scrollDown() {
    transcript.scrollTop = transcript.scrollHeight;
  }

  // insertOrdered keeps sequenced messages in seq order, ahead of the
  // unsequenced ones (a bubble still sending, a reply still streaming).
  function insertOrdered(el, seq) {
    for (const other of transcript.children) {
      if (other.dataset.seq === undefined || Number(other.dataset.seq) > seq) {
        transcript.insertBefore(el, other);
        return;
      }
    }
    transcript.append(el);
  }

  // fillText writes the message as text, with web addresses as links; no
  // message text is ever parsed as HTML.
  function fillText(el, value) {
    const text = String(value ?? '');
    el.textContent = '';
    const url = /\bhttps?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]}]/g;
    let last = 0;
    for (const m of text.matchAll(url)) {
      el.append(text.slice(last, m.index));
      const a = document.createElement('a');
      a.href = m[0];
      a.textContent = m[0];
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      el.append(a);
      last = m.index + m[0].length;
    }
    el.append(text.slice(last));
  }

  function aiBadge(lang) {
    const badge = document.createElement('span');
    badge.className = 'ai-badge';
    badge.textContent = 'AI';
    const label = AI_LABEL[base(lang)] || AI_LABEL[uiLang] || AI_LABEL.en;
    badge.title = label;
    badge.setAttribute('aria-label', label);
    badge.setAttribute('role', 'img');
    return badge;
  }

  // bubble builds the element of one message; the caller fills .text.
  function bubble(author, lang, aiGenerated) {
    const el = document.createElement('div');
    el.className = 'msg';
    el.dataset.author = author;
    setLang(el, lang);

    const who = document.createElement('div');
    who.className = 'who';
    if (aiGenerated) who.append(aiBadge(lang));
    const name = document.createElement('span');
    name.className = 'name';
    name.lang = locale;
    name.textContent = { customer: ui('you'), ai: ui('assistant'), human_agent: ui('agent') }[author] || '';
    who.append(name);
    if (author !== 'system') el.append(who);

    const text = document.createElement('div');
    text.className = 'text';
    el.append(text);
    return el;
  }

  function renderMessage(m) {
    const el = bubble(m.author, m.lang, m.ai_generated === true || m.author === 'ai');
    el.dataset.id = m.id;
    el.dataset.seq = Number.isFinite(m.seq) ? m.seq : 0;
    if (m.turn_id) el.dataset.turn = m.turn_id;
    if (m.handoff) el.classList.add('handoff');
    fillText(el.querySelector('.text'), m.text);
    const at = new Date(m.created_at);
    if (m.created_at && !Number.isNaN(at.getTime())) {
      const time = document.createElement('time');
      time.dateTime = m.created_at;
      time.textContent = timeFormat.format(at);
      el.append(time);
    }
    return el;
  }

  // addMessage shows a message once, replacing the customer's unconfirmed
  // bubble or the streamed reply that it completes.
  function addMessage(m) {
    if (!m || !m.id || state.seen.has(m.id)) return;
    const stick = nearBottom();
    if (m.author === 'customer') {
      state.pending.get(m.turn_id)?.remove();
      state.pending.delete(m.turn_id);
    } else if (m.author === 'ai') {
      const key = state.live.has(m.id) ? m.id : m.turn_id;
      state.live.get(key)?.el.remove();
      state.live.delete(key);
    }
    if ((m.author === 'ai' || m.author === 'human_agent') && m.turn_id) replyArrived(m.turn_id);
    const el = renderMessage(m);
    state.seen.set(m.id, el);
    insertOrdered(el, Number(m.seq));
    if (stick || m.author === 'customer') scrollDown();
    updateTyping();
    if (m.author === 'ai' || m.author === 'human_agent') replied();
  }

  function onToken(t) {
    if (!t || !t.delta || !t.turn_id) return;
    if (t.message_id && state.seen.has(t.message_id)) return;
    if (!t.message_id && state.done.has(t.turn_id)) return;
    const key = t.message_id || t.turn_id;
    let live = state.live.get(key);
    if (!live) {
      const el = bubble('ai', '', true);
      el.classList.add('live');
      el.dataset.turn = t.turn_id;
      // The final message is announced once; the growing text is not.
      el.setAttribute('aria-hidden', 'true');
      live = { el, text: el.querySelector('.text'), turn: t.turn_id, buf: '' };
      state.live.set(key, live);
      transcript.append(el);
    }
    const stick = nearBottom();
    live.buf += t.delta;
    live.text.textContent = live.buf;
    if (stick) scrollDown();
    updateTyping();
  }

  function onTurn(e) {
    if (!e || !e.turn_id) return;
    if (e.state === 'started') {
      if (!state.done.has(e.turn_id)) state.active.add(e.turn_id);
      updateTyping();
    } else if (e.state === 'completed' || e.state === 'failed') {
      finishTurn(e.turn_id);
      if (e.state === 'failed') showError(ui('turnFailed'));
    }
  }

  function replyArrived(turn) {
    state.done.add(turn);
    state.active.delete(turn);
    state.waiters.get(turn)?.();
  }

  // finishTurn ends a turn: no more typing dots, and a streamed bubble that
  // no final message replaced is dropped.
  function finishTurn(turn) {
    replyArrived(turn);
    for (const [key, live] of state.live) {
      if (live.turn === turn) {
        live.el.remove();
        state.live.delete(key);
      }
    }
    updateTyping();
  }

  function updateTyping() {
    const streaming = new Set([...state.live.values()].map((l) => l.turn));
    typing.hidden = ![...state.active].some((turn) => !streaming.has(turn));
  }

  function waitForReply(turn, ms) {
    if (state.done.has(turn)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        state.waiters.delete(turn);
        resolve(false);
      }, ms);
      state.waiters.set(turn, () => {
        clearTimeout(timer);
        state.waiters.delete(turn);
        resolve(true);
      });
    });
  }

  // ---- conversation --------------------------------------------------------

  // request fetches, retrying network failures and transient statuses with
  // backoff until the server gives another answer.
  async function request(url, init) {
    for (let attempt = 0; ; attempt++) {
      const wait = NETWORK_RETRY_MS[Math.min(attempt, NETWORK_RETRY_MS.length - 1)];
      try {
        const res = await fetch(url, init);
        if (![429, 502, 503, 504].includes(res.status)) {
          clearOffline();
          return res;
        }
      } catch {
        // offline or refused: try again below
      }
      showError(ui('offline'));
      await sleep(wait);
    }
  }

  async function loadTranscript(id) {
    const res = await request(`${API}/${encodeURIComponent(id)}`, { headers: { Accept: 'application/json' } });
    if (!res.ok) return res.status;
    const c = await res.json();
    if (state.id && state.id !== id) return res.status; // the conversation was replaced meanwhile
    for (const m of c.messages || []) addMessage(m);
    // After a reload: the survey is due if there was a reply.
    if (state.id === id && (c.messages || []).some((m) => m.author === 'ai' || m.author === 'human_agent')) replied();
    return res.status;
  }

  async function openConversation() {
    const saved = storage.get();
    if (saved) {
      const status = await loadTranscript(saved);
      if (status === 200) {
        state.id = saved;
      } else if (status !== 404 && status !== 410) {
        throw new Error(`load conversation: ${status}`);
      }
    }
    if (!state.id) {
      const res = await request(API, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(IDENTITY_TOKEN ? { locale, identity_token: IDENTITY_TOKEN } : { locale }),
      });
      if (!res.ok) {
        const problem = await readProblem(res);
        showError(problem.text);
        throw Object.assign(new Error(`create conversation: ${res.status}`), { problem });
      }
      const c = await res.json();
      state.id = c.id;
      storage.set(c.id);
    }
    clearError();
    listen();
  }

  function ensureConversation() {
    if (!state.starting) {
      state.starting = openConversation().catch((err) => {
        state.starting = null;
        throw err;
      });
    }
    return state.starting;
  }

  // restartConversation forgets a conversation the server no longer has and
  // opens a new one; bubbles still sending are kept.
  async function restartConversation() {
    hideSurvey();
    state.events?.close();
    storage.clear();
    state.id = null;
    state.starting = null;
    for (const el of [...transcript.children]) {
      if (el.dataset.seq !== undefined) el.remove();
    }
    state.seen.clear();
    await ensureConversation();
  }

  function listen() {
    state.events?.close();
    const id = state.id;
    const es = new EventSource(`${API}/${encodeURIComponent(id)}/events`);
    state.events = es;
    // Once the stream is open, catch up from the transcript: it holds what
    // was said before the stream started or while it was down.
    es.addEventListener('open', () => {
      loadTranscript(id).catch(() => {});
    });
    es.addEventListener('message', (e) => addMessage(parse(e.data)));
    es.addEventListener('token', (e) => onToken(parse(e.data)));
    es.addEventListener('turn', (e) => onTurn(parse(e.data)));
    es.addEventListener('error', () => {
      // The browser reconnects by itself (sending Last-Event-ID) unless the
      // server refused the stream; then catch up from the transcript and
      // listen again.
      if (es.readyState !== EventSource.CLOSED || state.events !== es) return;
      setTimeout(async () => {
        if (state.events !== es) return;
        const status = await loadTranscript(id).catch(() => 0);
        if (state.events !== es) return;
        if (status === 404 || status === 410) restartConversation().catch(() => {});
        else listen();
      }, 2000);
    });
  }

  // ---- post-chat survey ------------------------------------------------------

  // The survey asks "How did we do?" (1 to 5, with an optional comment) once per
  // conversation: after a reply, when the customer has been idle for a while
  // (data-survey-idle-seconds on main.chat, 60 by default), or when they end the
  // chat. What they did with it (answered, or "not now") is remembered per
  // conversation in localStorage, so it is not asked again.
  const SURVEY_KEY = 'attache.csat.';
  const survey = {
    el: document.getElementById('survey'),
    form: document.getElementById('survey-form'),
    send: document.getElementById('survey-send'),
    status: document.getElementById('survey-status'),
    thanks: document.getElementById('survey-thanks'),
    endChat: document.getElementById('end-chat'),
    timer: 0,
    ending: false, // the customer ended the chat: forget it once the survey is done
  };

  const surveyMemory = {
    get(id) {
      try { return localStorage.getItem(SURVEY_KEY + id); } catch { return null; }
    },
    set(id, value) {
      try { localStorage.setItem(SURVEY_KEY + id, value); } catch { /* private mode: asked again after a reload */ }
    },
  };

  function surveyIdleMs() {
    const seconds = Number(document.querySelector('main.chat')?.dataset.surveyIdleSeconds);
    return (Number.isFinite(seconds) && seconds >= 0 ? seconds : 60) * 1000;
  }

  // replied notes a reply from the AI or a person: the chat can be ended, and
  // the survey is asked for if the customer stays idle.
  function replied() {
    survey.endChat.hidden = !state.id;
    clearTimeout(survey.timer);
    if (!state.id || surveyMemory.get(state.id) || !survey.el.hidden) return;
    survey.timer = setTimeout(() => {
      if (state.active.size === 0 && !textarea.value.trim()) showSurvey(false);
    }, surveyIdleMs());
  }

  // customerActive postpones the survey while the customer writes, and puts
  // away a survey that is done.
  function customerActive() {
    clearTimeout(survey.timer);
    if (!survey.el.hidden && survey.form.hidden) hideSurvey();
  }

  function showSurvey(focus) {
    if (!state.id) return;
    clearTimeout(survey.timer);
    survey.form.reset();
    survey.send.disabled = true;
    survey.status.textContent = '';
    survey.form.hidden = false;
    survey.thanks.hidden = true;
    survey.el.dataset.conversation = state.id;
    survey.el.hidden = false;
    if (focus) survey.form.querySelector('input[name="score"]').focus();
  }

  function hideSurvey() {
    clearTimeout(survey.timer);
    survey.el.hidden = true;
    if (survey.ending) {
      survey.ending = false;
      forgetConversation();
    }
  }

  async function sendSurvey() {
    const id = survey.el.dataset.conversation;
    const score = Number(new FormData(survey.form).get('score'));
    if (!id || !(score >= 1 && score <= 5)) return;
    survey.send.disabled = true;
    survey.status.textContent = '';
    let res = null;
    try {
      res = await fetch(`${API}/${encodeURIComponent(id)}/csat`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ score, comment: document.getElementById('survey-comment').value.trim() }),
      });
    } catch {
      // offline: say so below and let the customer try again
    }
    if (res && (res.ok || res.status === 409 || res.status === 404)) {
      // 409: answered before (in another tab); 404: the conversation is gone.
      surveyMemory.set(id, 'answered');
      survey.form.hidden = true;
      survey.thanks.hidden = false;
      if (survey.ending) {
        survey.ending = false;
        forgetConversation();
      }
      return;
    }
    survey.status.textContent = ui('surveyFailed');
    survey.send.disabled = false;
  }

  // endChat asks for the survey (unless it was answered) and then forgets the
  // conversation: the next message starts a new one.
  function endChat() {
    if (!state.id) return;
    if (surveyMemory.get(state.id) === 'answered') {
      forgetConversation();
      return;
    }
    survey.ending = true;
    showSurvey(true);
  }

  function forgetConversation() {
    state.events?.close();
    state.events = null;
    storage.clear();
    state.id = null;
    state.starting = null;
    for (const el of [...transcript.children]) {
      if (el.dataset.seq !== undefined) el.remove();
    }
    state.seen.clear();
    survey.endChat.hidden = true;
    textarea.focus();
  }

  // ---- sending -------------------------------------------------------------

  function send() {
    const text = textarea.value.trim();
    if (!text) {
      textarea.focus();
      return;
    }
    const turn = { id: newTurnID(), text };
    customerActive();
    textarea.value = '';
    autosize();
    clearError();

    const el = bubble('customer', locale, false);
    el.classList.add('pending');
    el.dataset.turn = turn.id;
    fillText(el.querySelector('.text'), text);
    el.dir = 'auto';
    state.pending.set(turn.id, el);
    transcript.append(el);
    scrollDown();
    state.active.add(turn.id);
    updateTyping();

    state.queue = state.queue
      .then(() => deliver(turn))
      .catch((err) => fail(turn, err.problem || { text: ui('failed'), errors: [] }));
  }

  async function deliver(turn) {
    await ensureConversation();
    let netTry = 0;
    let pendingTry = 0;
    let restarted = false;
    for (;;) {
      let res;
      try {
        res = await fetch(`${API}/${encodeURIComponent(state.id)}/messages`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ text: turn.text, locale, turn_id: turn.id }),
        });
      } catch {
        res = null;
      }
      if (res === null || [429, 502, 503, 504].includes(res.status)) {
        if (netTry >= NETWORK_RETRY_MS.length) {
          return fail(turn, res ? await readProblem(res) : { text: ui('failed'), errors: [] });
        }
        showError(ui('offline'));
        const after = Number(res?.headers.get('Retry-After'));
        await sleep(after > 0 ? Math.min(after, 60) * 1000 : NETWORK_RETRY_MS[netTry]);
        netTry++;
        continue;
      }
      clearOffline();

      if (res.status === 202) {
        state.pending.get(turn.id)?.classList.remove('pending');
        if (pendingTry >= PENDING_RETRY_MS.length) {
          // Stop asking; a late reply still arrives on the event stream.
          state.active.delete(turn.id);
          updateTyping();
          return;
        }
        if (await waitForReply(turn.id, PENDING_RETRY_MS[pendingTry++])) return;
        continue;
      }
      if (res.ok) {
        const body = await res.json().catch(() => null);
        for (const m of body?.messages || []) addMessage(m);
        finishTurn(turn.id);
        return;
      }
      if ((res.status === 404 || res.status === 410) && !restarted) {
        restarted = true;
        await restartConversation();
        continue;
      }
      return fail(turn, await readProblem(res));
    }
  }

  // fail takes back a turn that was not accepted: its bubble goes, its text
  // returns to the composer and the reason is shown.
  function fail(turn, problem) {
    state.pending.get(turn.id)?.remove();
    state.pending.delete(turn.id);
    state.active.delete(turn.id);
    updateTyping();
    textarea.value = textarea.value.trim() ? `${turn.text}\n${textarea.value}` : turn.text;
    autosize();
    showError(problem.text);
    if (problem.errors.some((e) => e && e.field === 'text')) textarea.setAttribute('aria-invalid', 'true');
    textarea.focus();
  }

  function autosize() {
    textarea.style.height = 'auto';
    textarea.style.height = `${Math.min(textarea.scrollHeight, 160)}px`;
  }

  // ---- start ---------------------------------------------------------------

  document.documentElement.lang = locale;
  document.documentElement.dir = RTL.has(base(locale)) ? 'rtl' : 'ltr';
  document.title = ui('title');
  for (const el of document.querySelectorAll('[data-ui]')) el.textContent = ui(el.dataset.ui);
  for (const el of document.querySelectorAll('[data-ui-placeholder]')) el.placeholder = ui(el.dataset.uiPlaceholder);
  for (const el of document.querySelectorAll('[data-ui-label]')) {
    el.setAttribute('aria-label', ui(el.dataset.uiLabel));
    el.title = ui(el.dataset.uiLabel);
  }

  composer.addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  textarea.addEventListener('keydown', (e) => {
    // Enter sends, Shift+Enter is a new line, and Enter that confirms an
    // input-method composition (Japanese, Chinese, …) does neither.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      send();
    }
  });
  textarea.addEventListener('input', () => {
    autosize();
    customerActive();
  });
  survey.form.addEventListener('change', (e) => {
    if (e.target.name === 'score') survey.send.disabled = false;
  });
  survey.form.addEventListener('submit', (e) => {
    e.preventDefault();
    sendSurvey();
  });
  document.getElementById('survey-close').addEventListener('click', () => {
    const id = survey.el.dataset.conversation;
    if (id) surveyMemory.set(id, 'later');
    hideSurvey();
    textarea.focus();
  });
  survey.endChat.addEventListener('click', endChat);

  ensureConversation().catch(() => {
    /* the error line says why; the next send tries again */
  });
  textarea.focus();
})();
