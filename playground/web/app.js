// newsbot playground: a small Telegram-like chat over the simulator's HTTP API.
"use strict";
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let reader = params.get("reader") || "";
let version = 0, replyTo = 0, seenAnswers = new Set(), polling = 0;

// Telegram HTML to DOM: only the tags Telegram accepts survive; everything else is text.
const ALLOWED = new Set(["B","STRONG","I","EM","U","INS","S","STRIKE","DEL","CODE","PRE","BLOCKQUOTE","A","SPAN"]);
function renderTelegramHTML(html) {
  const doc = new DOMParser().parseFromString("<body>" + html + "</body>", "text/html");
  const out = document.createDocumentFragment();
  const walk = (node, parent) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) { parent.appendChild(document.createTextNode(child.textContent)); continue; }
      if (child.nodeType !== Node.ELEMENT_NODE) continue;
      if (!ALLOWED.has(child.tagName)) { walk(child, parent); continue; }
      const el = document.createElement(child.tagName === "SPAN" ? "span" : child.tagName.toLowerCase());
      if (child.tagName === "A") {
        const href = child.getAttribute("href") || "";
        if (/^https?:\/\//i.test(href)) { el.href = href; el.target = "_blank"; el.rel = "noopener noreferrer"; }
      }
      parent.appendChild(el);
      walk(child, el);
    }
  };
  walk(doc.body, out);
  return out;
}

function toast(text) {
  const t = $("toast");
  t.textContent = text; t.style.display = "block";
  clearTimeout(toast.timer); toast.timer = setTimeout(() => { t.style.display = "none"; }, 2500);
}

async function api(path, body) {
  const res = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) toast(await res.text());
  return res.ok ? res.json() : null;
}

function setReply(m) {
  replyTo = m.id;
  $("replying").hidden = false;
  $("replying-text").textContent = (m.text || "").split("\n")[0].slice(0, 60);
  $("text").focus();
}

function draw(messages) {
  const chat = $("chat");
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 60;
  chat.textContent = "";
  for (const m of messages) {
    const div = document.createElement("div");
    div.className = "msg" + (m.from_bot ? "" : " me");
    div.dataset.id = m.id;
    if (m.quote) { const q = document.createElement("div"); q.className = "quote"; q.textContent = m.quote; div.appendChild(q); }
    const body = document.createElement("div");
    body.className = "body";
    if (m.html) body.appendChild(renderTelegramHTML(m.html)); else body.textContent = m.text;
    if (m.document) { const d = document.createElement("div"); d.textContent = "📎 " + m.document; body.appendChild(d); }
    div.appendChild(body);
    if (m.buttons && m.buttons.length) {
      const kb = document.createElement("div"); kb.className = "kb";
      for (const row of m.buttons) {
        const r = document.createElement("div"); r.className = "row";
        for (const b of row) {
          let el;
          if (b.url) { el = document.createElement("a"); el.href = b.url; el.target = "_blank"; el.rel = "noopener noreferrer"; }
          else {
            el = document.createElement("button"); el.type = "button";
            el.addEventListener("click", async () => { const r = await api("/api/press", { reader, message_id: m.id, data: b.callback_data }); if (r) waitAnswer(r.query); });
          }
          el.textContent = b.text;
          r.appendChild(el);
        }
        kb.appendChild(r);
      }
      div.appendChild(kb);
    }
    const meta = document.createElement("div"); meta.className = "meta";
    if (m.reaction) meta.appendChild(document.createTextNode("👍"));
    if (m.edited) meta.appendChild(document.createTextNode("edited"));
    const rb = document.createElement("button"); rb.type = "button"; rb.className = "reply"; rb.textContent = "Reply";
    rb.setAttribute("aria-label", "Reply to this message");
    rb.addEventListener("click", () => setReply(m));
    meta.appendChild(rb);
    div.appendChild(meta);
    chat.appendChild(div);
  }
  if (atBottom) chat.scrollTop = chat.scrollHeight;
}

let pendingAnswer = null;
function waitAnswer(q) { pendingAnswer = q; }

async function poll() {
  const mine = ++polling;
  for (;;) {
    if (mine !== polling) return;
    try {
      const res = await fetch(`/api/messages?reader=${reader}&since=${version}`);
      if (mine !== polling) return;
      const data = await res.json();
      version = data.version;
      draw(data.messages || []);
      if (pendingAnswer && data.answers && pendingAnswer in data.answers) {
        if (data.answers[pendingAnswer]) toast(data.answers[pendingAnswer]);
        pendingAnswer = null;
      }
    } catch (e) {
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

async function init() {
  const readers = await (await fetch("/api/readers")).json();
  const sel = $("reader");
  for (const r of readers) { const o = document.createElement("option"); o.value = r.id; o.textContent = r.name; sel.appendChild(o); }
  if (!reader) reader = String(readers[0].id);
  if (/^[a-z]+$/i.test(reader)) { const r = readers.find((x) => x.name.toLowerCase() === reader.toLowerCase()); if (r) reader = String(r.id); }
  sel.value = reader;
  sel.addEventListener("change", () => { reader = sel.value; version = 0; replyTo = 0; $("replying").hidden = true; poll(); });
  $("composer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    $("text").value = "";
    await api("/api/send", { reader, text, reply_to: replyTo });
    replyTo = 0; $("replying").hidden = true;
  });
  $("cancel-reply").addEventListener("click", () => { replyTo = 0; $("replying").hidden = true; });
  $("ingest").addEventListener("click", async () => { const r = await api("/api/action", { action: "ingest" }); if (r) toast(`${r.new_items} new items`); });
  $("digest").addEventListener("click", async () => { if (await api("/api/action", { action: "digest" })) toast("Digests queued"); });
  $("file").addEventListener("change", async () => {
    const f = $("file").files[0]; if (!f) return;
    const fd = new FormData(); fd.append("reader", reader); fd.append("file", f);
    fd.append("caption", $("text").value.trim() || "/import"); $("text").value = "";
    await fetch("/api/upload", { method: "POST", body: fd });
    $("file").value = "";
  });
  fetch("/api/commands").then((r) => r.json()).then((cmds) => {
    for (const c of cmds || []) { const o = document.createElement("option"); o.value = "/" + c.Command; o.label = c.Description; $("commands").appendChild(o); }
  });
  poll();
}
init();
