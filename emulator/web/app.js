// The chat page of the emulator: one person's private chat with the bot, followed by long polling.
// Message HTML comes from the server, which built it from escaped text; everything else is put in with
// textContent, never as markup.
"use strict";

const CATALOGUE = {
  ru: {
    title: "Список диалогов",
    subtitle: "бот · демо без Telegram",
    "you-are": "Вы:",
    start: "Начать",
    placeholder: "Сообщение",
    send: "Отправить",
    edited: "изменено",
    download: "Скачать",
    ok: "ОК",
    warnings: "Telegram отклонил бы запрос бота:",
    offline: "Нет связи с демо-сервером, пробую снова…",
    gone: "Этой кнопки уже нет: сообщение изменилось.",
    roles: { admin: "Администратор", head: "Руководитель", manager: "Менеджер", stranger: "Посторонний" },
    bytes: ["Б", "КБ", "МБ"],
  },
  en: {
    title: "Dialog list",
    subtitle: "bot · a demo without Telegram",
    "you-are": "You:",
    start: "Start",
    placeholder: "Message",
    send: "Send",
    edited: "edited",
    download: "Download",
    ok: "OK",
    warnings: "Telegram would refuse the bot's request:",
    offline: "The demo server does not answer, trying again…",
    gone: "That button is gone: the message has changed.",
    roles: { admin: "Admin", head: "Head of sales", manager: "Manager", stranger: "Stranger" },
    bytes: ["B", "KB", "MB"],
  },
};

function pageLanguage() {
  const asked = new URLSearchParams(location.search).get("lang");
  if (asked && asked in CATALOGUE) return asked;
  const preferred = (navigator.languages || [navigator.language || "ru"])[0] || "ru";
  return preferred.toLowerCase().startsWith("en") ? "en" : "ru";
}

const LANGUAGE = pageLanguage();
const T = CATALOGUE[LANGUAGE];
const chat = document.getElementById("chat");
const personSelect = document.getElementById("person");
const startBox = document.getElementById("start-box");
const warningsBox = document.getElementById("warnings");
const noticeBox = document.getElementById("notice");
const composer = document.getElementById("composer");
const input = document.getElementById("text");

let person = null; // the Telegram id of who the page is now
let seq = -1; // the emulator's seq of the state shown
let polling = null; // the AbortController of the long poll under way
const shownNotices = new Set();

function translatePage() {
  document.documentElement.lang = LANGUAGE;
  document.title = `${T.title} — ${LANGUAGE === "ru" ? "демо" : "demo"}`;
  for (const node of document.querySelectorAll("[data-text]")) node.textContent = T[node.dataset.text];
  for (const node of document.querySelectorAll("[data-placeholder]")) node.placeholder = T[node.dataset.placeholder];
  for (const node of document.querySelectorAll("[data-label]")) node.setAttribute("aria-label", T[node.dataset.label]);
  personSelect.setAttribute("aria-label", T["you-are"]);
}

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...body, language: LANGUAGE }),
  };
  const response = await fetch(path, options);
  if (!response.ok) {
    const error = new Error(`HTTP ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return response.json();
}

async function loadPeople() {
  const { people } = await api("/api/people");
  for (const someone of people) {
    const option = document.createElement("option");
    option.value = String(someone.id);
    option.textContent = T.roles[someone.role] || someone.role;
    personSelect.append(option);
  }
  const wanted = new URLSearchParams(location.hash.slice(1)).get("person");
  const chosen = people.find((someone) => String(someone.id) === wanted) || people[0];
  personSelect.value = String(chosen.id);
  switchTo(chosen.id);
}

function switchTo(id) {
  person = id;
  seq = -1;
  history.replaceState(null, "", `${location.pathname}${location.search}#person=${id}`);
  chat.replaceChildren();
  input.disabled = false;
  document.getElementById("send").disabled = false;
  if (polling) polling.abort();
  follow();
}

async function follow() {
  const controller = new AbortController();
  polling = controller;
  const following = person;
  while (!controller.signal.aborted && following === person) {
    try {
      const response = await fetch(`/api/chat/${following}?since=${seq}`, { signal: controller.signal });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const state = await response.json();
      if (following !== person) return;
      const first = seq < 0;
      seq = state.seq;
      show(state, first);
    } catch (error) {
      if (controller.signal.aborted) return;
      showWarnings([T.offline]);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function show(state, first) {
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
  chat.replaceChildren(...state.messages.map(messageNode));
  startBox.hidden = state.messages.length > 0;
  showWarnings(state.warnings.length ? [T.warnings, ...state.warnings] : []);
  for (const notice of state.notices) {
    if (!shownNotices.has(notice.id)) {
      shownNotices.add(notice.id);
      showNotice(notice.text, notice.alert);
    }
  }
  if (atBottom || first) chat.scrollTop = chat.scrollHeight;
}

function messageNode(message) {
  const node = document.createElement("div");
  node.className = message.from_bot ? "message" : "message mine";
  node.dataset.messageId = String(message.id);
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  if (message.photo) {
    const image = document.createElement("img");
    image.className = "photo";
    image.src = message.photo.url;
    image.alt = message.photo.name;
    bubble.append(image);
  }
  if (message.document) bubble.append(documentNode(message.document));
  const text = document.createElement("div");
  text.className = "text";
  text.innerHTML = message.html; // built by the server from escaped text
  bubble.append(text);
  const meta = document.createElement("span");
  meta.className = "meta";
  const time = new Date(message.date * 1000).toLocaleTimeString(LANGUAGE, { hour: "2-digit", minute: "2-digit" });
  meta.textContent = message.edited ? `${T.edited} ${time}` : time;
  bubble.append(meta);
  node.append(bubble);
  if (message.buttons.length) node.append(keyboardNode(message));
  return node;
}

function documentNode(file) {
  const link = document.createElement("a");
  link.className = "document";
  link.href = file.url;
  link.download = file.name;
  link.title = T.download;
  const icon = document.createElement("span");
  icon.className = "icon";
  icon.textContent = "📄";
  const label = document.createElement("span");
  const name = document.createElement("div");
  name.className = "name";
  name.textContent = file.name;
  const size = document.createElement("div");
  size.className = "size";
  size.textContent = humanSize(file.size);
  label.append(name, size);
  link.append(icon, label);
  return link;
}

function humanSize(bytes) {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < T.bytes.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit ? value.toFixed(1) : value} ${T.bytes[unit]}`;
}

function keyboardNode(message) {
  const keyboard = document.createElement("div");
  keyboard.className = "keyboard";
  message.buttons.forEach((row, rowIndex) => {
    const line = document.createElement("div");
    line.className = "row";
    row.forEach((button, columnIndex) => {
      let node;
      if (button.url) {
        node = document.createElement("a");
        node.href = button.url;
        node.target = "_blank";
        node.rel = "noopener noreferrer";
      } else {
        node = document.createElement("button");
        node.type = "button";
        node.addEventListener("click", () => press(node, message.id, rowIndex, columnIndex));
      }
      node.textContent = button.text;
      node.title = button.text;
      line.append(node);
    });
    keyboard.append(line);
  });
  return keyboard;
}

async function press(node, messageId, row, column) {
  node.classList.add("pressed");
  try {
    await api(`/api/chat/${person}/press`, { message_id: messageId, row, column });
  } catch (error) {
    node.classList.remove("pressed");
    if (error.status === 409) showNotice(T.gone, false);
    else showWarnings([T.offline]);
  }
}

async function send(text) {
  if (!text.trim()) return;
  try {
    await api(`/api/chat/${person}/send`, { text });
  } catch (error) {
    showWarnings([T.offline]);
  }
}

function showWarnings(lines) {
  warningsBox.replaceChildren(...lines.map((line) => {
    const paragraph = document.createElement("p");
    paragraph.textContent = line;
    return paragraph;
  }));
  warningsBox.hidden = lines.length === 0;
}

let noticeTimer = null;
function showNotice(text, alert) {
  clearTimeout(noticeTimer);
  noticeBox.replaceChildren(document.createTextNode(text));
  noticeBox.className = alert ? "alert" : "";
  noticeBox.hidden = false;
  if (alert) {
    const ok = document.createElement("button");
    ok.type = "button";
    ok.textContent = T.ok;
    ok.addEventListener("click", () => { noticeBox.hidden = true; });
    noticeBox.append(document.createElement("br"), ok);
  } else {
    noticeTimer = setTimeout(() => { noticeBox.hidden = true; }, 2500);
  }
}

chat.addEventListener("click", (event) => {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return;
  if (target.classList.contains("spoiler")) target.classList.toggle("shown");
  if (target.classList.contains("command")) send(target.textContent.split("@")[0]);
});

composer.addEventListener("submit", (event) => {
  event.preventDefault();
  const text = input.value;
  input.value = "";
  send(text);
});

document.getElementById("start").addEventListener("click", () => send("/start"));
personSelect.addEventListener("change", () => switchTo(Number(personSelect.value)));

translatePage();
loadPeople().catch(() => showWarnings([T.offline]));
