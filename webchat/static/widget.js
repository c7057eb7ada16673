/*
 * 就业政策助手 — chat widget. Embed with one line:
 *   <script src="https://HOST/static/widget.js" data-title="就业政策助手" defer></script>
 * Options (data-* on the script tag):
 *   data-title     panel title (default 就业政策助手)
 *   data-api       API base URL (default: the origin of this script's src)
 *   data-open      "true" opens the panel at load (without moving focus)
 *   data-position  "left" or "right" (default right)
 * Loads widget.css from the same folder. Server and user text is only ever set with textContent.
 */
(function () {
  'use strict';
  if (window.__policybotWidget) return;
  window.__policybotWidget = true;

  var script = document.currentScript || Array.prototype.slice.call(document.querySelectorAll('script[src]'))
    .reverse().find(function (s) { return /\/widget\.js(?:[?#]|$)/.test(s.src); });
  var scriptUrl = new URL(script && script.src ? script.src : 'widget.js', location.href);
  var opt = function (name) { return script ? script.getAttribute('data-' + name) : null; };

  var TITLE = opt('title') || '就业政策助手';
  var API = (opt('api') || scriptUrl.origin).replace(/\/+$/, '');
  var POSITION = opt('position') === 'left' ? 'left' : 'right';
  var MAX_CHARS = 500;
  var COUNTER_FROM = 400;
  var TIMEOUT_MS = 60000;
  var KEY_SESSION = 'policybot.session';
  var KEY_LARGE = 'policybot.largeText';
  var NETWORK_ERROR = '网络不通，请稍后再试或拨打12333咨询';
  var GREETING = {
    text: '您好！我是就业政策助手，可以帮您查询高校毕业生补贴、创业担保贷款、灵活就业社保等政策。请直接输入您的问题。',
    buttons: [
      { title: '我能申请什么补贴', payload: '/check_eligibility' },
      { title: '创业担保贷款', payload: '创业担保贷款怎么申请' },
      { title: '灵活就业社保', payload: '灵活就业人员怎么交社保' }
    ]
  };

  // ---- storage (localStorage may be blocked, e.g. in sandboxed frames) ----
  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try {
      if (value == null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* private mode: the cookie still carries the session */ }
  }

  // ---- DOM helpers (no innerHTML anywhere) ----
  function h(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v == null || v === false) return;
      if (k === 'class') node.className = v;
      else if (k === 'text') node.textContent = v;
      else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : String(v));
    });
    (children || []).forEach(function (c) {
      if (c != null) node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var ICONS = {
    chat: 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z',
    close: 'M6 6l12 12M18 6L6 18',
    up: 'M7 10v11H3V10h4zm2 11h8.2a2 2 0 0 0 2-1.6l1.4-7A2 2 0 0 0 18.6 10H14V5.5A2.5 2.5 0 0 0 11.5 3L9 10v11z',
    down: 'M7 14V3H3v11h4zm2-11h8.2a2 2 0 0 1 2 1.6l1.4 7a2 2 0 0 1-2 2.4H14v4.5a2.5 2.5 0 0 1-2.5 2.5L9 14V3z'
  };
  function icon(name, cls) {
    var svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('aria-hidden', 'true');
    svg.setAttribute('focusable', 'false');
    svg.setAttribute('class', 'pb-icon ' + (cls || ''));
    var path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.appendChild(path);
    return svg;
  }

  // ---- API ----
  // The session token travels in the POST body or the X-Policybot-Session header, never in a URL.
  function api(method, path, body, session) {
    var ctrl = typeof AbortController === 'function' ? new AbortController() : null;
    var timer = ctrl && setTimeout(function () { ctrl.abort(); }, TIMEOUT_MS);
    var headers = { 'Content-Type': 'application/json' };
    if (session) headers['X-Policybot-Session'] = session;
    return fetch(API + path, {
      method: method,
      credentials: 'include',
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: ctrl ? ctrl.signal : undefined
    }).then(function (res) {
      return res.json().catch(function () { return null; }).then(function (data) {
        return { ok: res.ok, status: res.status, data: data };
      });
    }).then(function (r) { clearTimeout(timer); return r; }, function (err) { clearTimeout(timer); throw err; });
  }
  function errorText(res) {
    if (res && res.data && typeof res.data.error === 'string' && res.data.error) return res.data.error;
    if (res && res.status === 429) return '提问太频繁了，请稍后再试。';
    if (res && res.status >= 500) return '助手暂时不可用，请稍后再试或拨打12333咨询';
    return '出错了（' + (res ? res.status : '?') + '），请稍后再试或拨打12333咨询';
  }
  function withSession(body) {
    var session = load(KEY_SESSION);
    if (session) body.session = session;
    return body;
  }
  function rememberSession(data) {
    if (data && typeof data.session === 'string' && data.session) save(KEY_SESSION, data.session);
  }

  // ---- build the widget ----
  var ids = 'pb-' + Math.random().toString(36).slice(2, 8);
  var largeBtn = h('button', {
    type: 'button', class: 'pb-hbtn', 'data-testid': 'large-text', 'aria-label': '大字模式', 'aria-pressed': 'false',
    title: '大字模式', text: '大字', onclick: function () { setLarge(!root.classList.contains('pb-large')); }
  });
  var newBtn = h('button', {
    type: 'button', class: 'pb-hbtn', 'data-testid': 'new-chat', 'aria-label': '开始新对话', title: '开始新对话',
    text: '新对话', onclick: function () { newChat(); }
  });
  var closeBtn = h('button', {
    type: 'button', class: 'pb-hbtn pb-close', 'data-testid': 'close', 'aria-label': '关闭', title: '关闭',
    onclick: function () { close(true); }
  }, [icon('close')]);
  var log = h('div', {
    class: 'pb-log', role: 'log', 'aria-live': 'polite', 'aria-label': '对话记录', tabindex: '0'
  });
  var typing = h('div', {
    class: 'pb-typing', role: 'status', 'aria-label': '正在输入', 'data-testid': 'typing', hidden: true
  }, [h('span', { class: 'pb-dot' }), h('span', { class: 'pb-dot' }), h('span', { class: 'pb-dot' })]);
  var input = h('textarea', {
    id: ids + '-input', class: 'pb-input', 'data-testid': 'input', rows: '1', maxlength: String(MAX_CHARS),
    placeholder: '请输入您的问题', 'aria-describedby': ids + '-counter', enterkeyhint: 'send'
  });
  var counter = h('div', { id: ids + '-counter', class: 'pb-counter', hidden: true });
  var sendBtn = h('button', {
    type: 'submit', class: 'pb-send', 'data-testid': 'send', 'aria-label': '发送', text: '发送'
  });
  var form = h('form', { class: 'pb-form', novalidate: true }, [
    h('label', { class: 'pb-sr', for: ids + '-input', text: '输入您的问题（按回车发送，Shift+回车换行）' }),
    h('div', { class: 'pb-row' }, [input, sendBtn]),
    counter,
    h('p', { class: 'pb-hint', text: '回答仅供参考，具体以政策原文和经办部门解释为准。' })
  ]);
  var panel = h('div', {
    id: ids + '-panel', class: 'pb-panel', role: 'dialog', 'aria-modal': 'false', 'aria-label': TITLE,
    'data-testid': 'panel', tabindex: '-1', hidden: true
  }, [
    h('div', { class: 'pb-header' }, [
      h('h2', { class: 'pb-title', text: TITLE }),
      largeBtn, newBtn, closeBtn
    ]),
    log, typing, form
  ]);
  var launcher = h('button', {
    type: 'button', class: 'pb-launcher', 'data-testid': 'launcher', 'aria-label': TITLE, title: TITLE,
    'aria-expanded': 'false', 'aria-controls': ids + '-panel', 'aria-haspopup': 'dialog',
    onclick: function () { if (panel.hidden) open(true); else close(true); }
  }, [icon('chat', 'pb-icon-open'), icon('close', 'pb-icon-close')]);
  var root = h('div', { class: 'pb-root pb-pos-' + POSITION }, [launcher, panel]);
  root.style.display = 'none';  // CSSOM, not a style attribute: allowed by a CSP without 'unsafe-inline'

  // Show the widget once its stylesheet is there (or failed: then it is plain but usable).
  var cssUrl = new URL('widget.css', scriptUrl);
  cssUrl.search = scriptUrl.search;
  var link = h('link', { rel: 'stylesheet', href: cssUrl.href });
  var shown = false;
  var show = function () { if (!shown) { shown = true; root.style.removeProperty('display'); } };
  link.addEventListener('load', show);
  link.addEventListener('error', show);
  setTimeout(show, 5000);
  document.head.appendChild(link);

  // ---- state ----
  var pending = false;       // a chat request is under way
  var historyReady = null;   // promise: history loaded (first open)
  var liveButtons = [];      // quick replies that can still be pressed

  function setLarge(on) {
    root.classList.toggle('pb-large', on);
    largeBtn.setAttribute('aria-pressed', on ? 'true' : 'false');
    save(KEY_LARGE, on ? '1' : null);
  }
  setLarge(load(KEY_LARGE) === '1');

  function scrollToEnd(first) {
    var bottom = log.scrollHeight - log.clientHeight;
    // A long reply is shown from its start rather than its end.
    log.scrollTop = first ? Math.min(bottom, first.offsetTop - 8) : bottom;
  }

  function open(moveFocus) {
    if (!panel.hidden) return;
    panel.hidden = false;
    root.classList.add('pb-open');
    launcher.setAttribute('aria-expanded', 'true');
    if (!historyReady) historyReady = loadHistory();
    scrollToEnd();
    if (moveFocus) {
      // On touch screens do not pop the keyboard up at once.
      var touch = window.matchMedia && window.matchMedia('(pointer: coarse)').matches;
      (touch ? panel : input).focus();
    }
  }
  function close(returnFocus) {
    if (panel.hidden) return;
    panel.hidden = true;
    root.classList.remove('pb-open');
    launcher.setAttribute('aria-expanded', 'false');
    if (returnFocus) launcher.focus();
  }
  panel.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' || e.key === 'Esc') {
      e.preventDefault();
      close(true);
    }
  });

  // ---- messages ----
  function addUser(text) {
    var node = h('div', { class: 'pb-msg pb-msg-user', 'data-testid': 'message-user' }, [
      h('div', { class: 'pb-bubble', text: text })
    ]);
    log.appendChild(node);
    return node;
  }

  function addNote(text) {
    var node = h('div', { class: 'pb-note', 'data-testid': 'note', text: text });
    log.appendChild(node);
    scrollToEnd();
    return node;
  }

  function setFeedback(group, rating) {
    Array.prototype.forEach.call(group.querySelectorAll('button'), function (b) {
      b.setAttribute('aria-pressed', b.getAttribute('data-rating') === rating ? 'true' : 'false');
    });
  }

  function rate(group, id, rating) {
    var before = group.getAttribute('data-rating');
    if (before === rating || group.getAttribute('aria-busy') === 'true') return;
    setFeedback(group, rating);
    group.setAttribute('aria-busy', 'true');
    var fail = function (text) { setFeedback(group, before); addNote(text); };
    api('POST', '/api/feedback', withSession({ message_id: id, rating: rating })).then(function (res) {
      if (res.ok) group.setAttribute('data-rating', rating);
      else fail(errorText(res));
    }, function () { fail(NETWORK_ERROR); }).then(function () { group.removeAttribute('aria-busy'); });
  }

  function addBot(msg, live, feedback) {
    var node = h('div', { class: 'pb-msg pb-msg-bot', 'data-testid': 'message-bot' });
    var citations = Array.isArray(msg.citations) ? msg.citations.filter(Boolean) : [];
    var text = String(msg.text || '');
    // The lead first and short: with cards below, the source line and related list the text repeats
    // are left out of the bubble (each source is shown once, on its card).
    if (citations.length && citations[0].source) {
      var cut = text.indexOf('\n来源：');
      if (cut > 0) { text = text.slice(0, cut); citations = citations.slice(0, 2); }
    }
    if (text) node.appendChild(h('div', { class: 'pb-bubble', text: text }));

    citations.forEach(function (c, i) {
      var status = String(c.status || '');
      node.appendChild(h('details', { class: 'pb-cite', 'data-testid': 'citation' }, [
        h('summary', { class: 'pb-cite-src' }, [
          h('span', { class: 'pb-cite-label', text: i === 0 ? '来源：' : '相关：' }), String(c.source || ''),
          status ? h('span', { class: 'pb-cite-status', 'data-testid': 'citation-status', text: '（' + status + '）' }) : ''
        ]),
        h('div', { class: 'pb-cite-text', text: String(c.text || '') })
      ]));
    });

    var buttons = Array.isArray(msg.buttons) ? msg.buttons.filter(function (b) { return b && b.title; }) : [];
    if (buttons.length) {
      var group = h('div', { class: 'pb-quick', role: 'group', 'aria-label': '可选的问题' });
      buttons.forEach(function (b) {
        var title = String(b.title);
        var payload = String(b.payload || '');
        if (/^tel:\d{3,12}$/.test(payload)) {  // tap to call, e.g. 12333
          group.appendChild(h('a', { class: 'pb-qr pb-tel', 'data-testid': 'call', href: payload, text: title }));
          return;
        }
        var btn = h('button', {
          type: 'button', class: 'pb-qr', 'data-testid': 'quick-reply', 'aria-label': title, text: title,
          disabled: !live,
          onclick: function () {
            if (btn.disabled || pending) return;
            send(String(b.payload || title), title, false, btn);
          }
        });
        if (live) liveButtons.push(btn);
        group.appendChild(btn);
      });
      node.appendChild(group);
    }

    if (msg.id) {
      var id = String(msg.id);
      var fb = h('div', { class: 'pb-fb', role: 'group', 'aria-label': '这条回答有帮助吗' });
      fb.appendChild(h('button', {
        type: 'button', class: 'pb-fbbtn', 'data-testid': 'feedback-up', 'data-rating': 'up', 'aria-label': '有帮助',
        title: '有帮助', 'aria-pressed': 'false', onclick: function () { rate(fb, id, 'up'); }
      }, [icon('up')]));
      fb.appendChild(h('button', {
        type: 'button', class: 'pb-fbbtn', 'data-testid': 'feedback-down', 'data-rating': 'down',
        'aria-label': '没有帮助', title: '没有帮助', 'aria-pressed': 'false', onclick: function () { rate(fb, id, 'down'); }
      }, [icon('down')]));
      if (feedback === 'up' || feedback === 'down') {
        fb.setAttribute('data-rating', feedback);
        setFeedback(fb, feedback);
      }
      node.appendChild(fb);
    }
    log.appendChild(node);
    return node;
  }

  function greet() {
    addBot(GREETING, true);
    scrollToEnd();
  }

  // The server stores what the bot received (a pressed button's payload); show the button's title again.
  function shownText(text, offered) {
    var button = offered.filter(function (b) { return b && b.payload === text && b.title; })[0];
    return button ? String(button.title) : text;
  }

  function loadHistory() {
    var session = load(KEY_SESSION);
    log.setAttribute('aria-busy', 'true');
    return api('GET', '/api/chat/history', undefined, session)
      .catch(function () { return null; })
      .then(function (res) {
        var data = res && res.ok ? res.data : null;
        var messages = data && Array.isArray(data.messages) ? data.messages : [];
        if (data && data.session === null) save(KEY_SESSION, null); // unknown or expired
        rememberSession(data);
        var lastUser = -1;
        var offered = GREETING.buttons;  // the buttons shown before each user message
        messages.forEach(function (m, i) { if (m && m.role === 'user') lastUser = i; });
        messages.forEach(function (m, i) {
          if (!m) return;
          if (m.role === 'user') {
            addUser(shownText(String(m.text || ''), offered));
            offered = [];
          } else {
            addBot(m, i > lastUser, m.feedback);
            if (Array.isArray(m.buttons)) offered = offered.concat(m.buttons);
          }
        });
        if (!messages.length) greet();
        scrollToEnd();
      })
      .catch(function () { if (!log.firstChild) greet(); }) // never leave sending blocked on a bad history
      .then(function () { log.removeAttribute('aria-busy'); });
  }

  function setPending(on) {
    pending = on;
    typing.hidden = !on;
    sendBtn.setAttribute('aria-disabled', on ? 'true' : 'false');
    if (on) scrollToEnd();
  }

  function send(message, display, typed, chosen) {
    if (pending) return;
    setPending(true);
    var wasLive = liveButtons;
    liveButtons = [];
    wasLive.forEach(function (b) { b.disabled = true; });
    if (chosen) chosen.classList.add('pb-chosen');
    (historyReady || Promise.resolve()).then(function () {
      var bubble = addUser(display || message);
      scrollToEnd();
      var body = withSession({ message: message });  // the server stores the payload, not the title
      return api('POST', '/api/chat', body).then(function (res) { return { res: res }; }, function (err) {
        return { note: err && err.name === 'AbortError' ? '助手回复超时，请稍后再试或拨打12333咨询' : NETWORK_ERROR };
      }).then(function (r) {
        setPending(false);
        if (r.res && r.res.ok && r.res.data) {
          rememberSession(r.res.data);
          var messages = Array.isArray(r.res.data.messages) ? r.res.data.messages : [];
          var first = null;
          messages.forEach(function (m) {
            if (m) { var n = addBot(m, true); first = first || n; }
          });
          if (!messages.length) addNote('助手这次没有回答，请换个说法再试。');
          else scrollToEnd(first);
          return;
        }
        // Not delivered: take the bubble back, keep the quick replies usable, give the text back.
        if (r.res) rememberSession(r.res.data);
        log.removeChild(bubble);
        if (chosen) chosen.classList.remove('pb-chosen');
        wasLive.forEach(function (b) { b.disabled = false; });
        liveButtons = wasLive.concat(liveButtons);
        addNote(r.note || errorText(r.res));
        if (typed) {
          input.value = input.value ? message + '\n' + input.value : message;
          onInput();
        }
      });
    });
  }

  function newChat() {
    if (pending) return;
    setPending(true);
    (historyReady || Promise.resolve()).then(function () {
      return api('POST', '/api/chat/new', {});
    }).then(function (res) {
      setPending(false);
      if (!res.ok) { addNote(errorText(res)); return; }
      rememberSession(res.data);
      liveButtons = [];
      log.textContent = '';
      historyReady = Promise.resolve();
      greet();
      input.focus();
    }, function () {
      setPending(false);
      addNote(NETWORK_ERROR);
    });
  }

  // ---- input ----
  function onInput() {
    input.style.height = 'auto';
    input.style.height = Math.min(input.scrollHeight + 2, parseFloat(getComputedStyle(input).maxHeight) || 200) + 'px';
    var n = input.value.length;
    counter.hidden = n < COUNTER_FROM;
    counter.classList.toggle('pb-over', n >= MAX_CHARS);
    counter.textContent = n >= MAX_CHARS ? '已达' + MAX_CHARS + '字上限' : '还可输入' + (MAX_CHARS - n) + '字';
  }
  function submit() {
    var text = input.value.trim();
    if (!text || pending) return;
    if (text.length > MAX_CHARS) { addNote('问题太长了，请控制在' + MAX_CHARS + '字以内。'); return; }
    input.value = '';
    onInput();
    send(text, null, true);
  }
  input.addEventListener('input', onInput);
  input.addEventListener('keydown', function (e) {
    // isComposing / 229: Enter that confirms a pinyin candidate must not send.
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    submit();
    input.focus();
  });

  function mount() {
    document.body.appendChild(root);
    if (opt('open') === 'true') open(false);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
