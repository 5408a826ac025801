"use strict";
// The demo page: talks only to its own backend (/demo/...), which calls the bridge with the client secret.
(() => {
  const pollMs = 2000;
  const view = { links: new Map(), selected: null, page: 1, requests: 0 };
  const $ = (id) => document.getElementById(id);

  function say(text, problem) {
    const status = $("status");
    status.textContent = text;
    status.classList.toggle("problem", Boolean(problem));
  }

  async function call(method, url) {
    const response = await fetch(url, { method, headers: { Accept: "application/json" } });
    let body = {};
    try { body = await response.json(); } catch { body = {}; }
    return { ok: response.ok, status: response.status, body };
  }

  function el(tag, text, attributes) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    return node;
  }

  function refreshedAt(link) {
    const product = link.products && link.products.transactions;
    return product && product.refreshed_at ? product.refreshed_at : null;
  }

  function institution(link) {
    return link.institution_name || link.institution_id || "Institution";
  }

  // --- links ---------------------------------------------------------------------------------------------------
  function linkRow(linkId) {
    const row = el("tr", null, { "data-link-id": linkId });
    row.append(el("td", null, { class: "institution" }), el("td", linkId, { class: "link-id" }), el("td", null, { class: "state-cell" }), el("td", null, { class: "refreshed" }));
    const actions = el("td", null, { class: "actions" });
    const show = el("button", "Show", { type: "button", class: "show" });
    const refresh = el("button", "Refresh", { type: "button", class: "refresh" });
    const disconnect = el("button", "Disconnect", { type: "button", class: "disconnect" });
    show.addEventListener("click", () => select(linkId));
    refresh.addEventListener("click", () => refreshLink(linkId));
    disconnect.addEventListener("click", () => disconnectLink(linkId));
    actions.append(show, refresh, disconnect);
    row.append(actions);
    return row;
  }

  function renderLinks(links) {
    const body = $("links").tBodies[0];
    for (const [id, row] of [...body.rows].map((r) => [r.dataset.linkId, r])) {
      if (!links.has(id)) row.remove();
    }
    for (const [id, link] of links) {
      let row = body.querySelector(`tr[data-link-id="${CSS.escape(id)}"]`);
      if (!row) { row = linkRow(id); body.append(row); }
      const name = institution(link);
      row.querySelector(".institution").textContent = name;
      const stateCell = row.querySelector(".state-cell");
      stateCell.replaceChildren(el("span", link.state || "unknown", { class: `state state-${link.state || "unknown"}` }));
      if (link.error_code) stateCell.append(" ", el("span", `(${link.error_code})`, { class: "error-code" }));
      stateCell.dataset.state = link.state || "";
      row.querySelector(".refreshed").textContent = refreshedAt(link) || "not yet";
      row.querySelector(".show").setAttribute("aria-label", `Show accounts and transactions of ${name} link ${id}`);
      row.querySelector(".refresh").setAttribute("aria-label", `Refresh ${name} link ${id}`);
      row.querySelector(".disconnect").setAttribute("aria-label", `Disconnect ${name} link ${id}`);
      row.classList.toggle("selected", id === view.selected);
    }
    $("links").hidden = links.size === 0;
    $("no-links").hidden = links.size !== 0;
  }

  async function pollLinks() {
    const answer = await call("GET", "/demo/links");
    if (!answer.ok) { say(`Could not load your links (${answer.body.error_message || answer.status}).`, true); return; }
    view.links = new Map(Object.entries(answer.body.links || {}));
    renderLinks(view.links);
    if (view.selected && !view.links.has(view.selected)) {
      view.selected = null;
      $("link-detail").hidden = true;
    } else if (view.selected) {
      await loadDetail(); // balances and transactions synced since (webhooks, refreshes) show without a reload
    }
  }

  async function refreshLink(linkId) {
    const answer = await call("POST", `/demo/links/${encodeURIComponent(linkId)}/refresh`);
    const outcome = answer.body;
    if (answer.ok && outcome.bridge_status >= 200 && outcome.bridge_status < 300) say(`Refresh requested for ${linkId}; new data appears here when it arrives.`);
    else say(`Refresh not possible now: ${outcome.error_message || outcome.error_code || answer.status}`, true);
  }

  async function disconnectLink(linkId) {
    const answer = await call("DELETE", `/demo/links/${encodeURIComponent(linkId)}`);
    const outcome = answer.body;
    if (answer.ok && outcome.bridge_status >= 200 && outcome.bridge_status < 300) say(`Disconnected ${linkId}.`);
    else say(`Disconnect failed: ${outcome.error_message || outcome.error_code || answer.status}`, true);
    await pollLinks();
    $("link-account").focus();
  }

  // --- one link: accounts and transactions ----------------------------------------------------------------------------
  async function select(linkId) {
    view.selected = linkId;
    view.page = 1;
    $("account-filter").replaceChildren(el("legend", "Accounts"));
    $("start-date").value = "";
    $("end-date").value = "";
    renderLinks(view.links);
    $("link-detail").hidden = false;
    await loadDetail();
    $("detail-heading").focus();
  }

  async function loadDetail() {
    const linkId = view.selected;
    const answer = await call("GET", `/demo/links/${encodeURIComponent(linkId)}/accounts`);
    if (linkId !== view.selected) return;
    const accounts = answer.ok ? answer.body.accounts || [] : [];
    $("detail-heading").textContent = `Accounts of ${institution(view.links.get(linkId) || {})} (${linkId})`;
    const body = $("accounts").tBodies[0];
    body.replaceChildren(...accounts.map((a) => {
      const row = el("tr", null, { "data-account-id": a.account_id });
      const balances = a.balances || {};
      row.append(el("td", a.name), el("td", a.account_type), el("td", a.account_mask),
        el("td", money(balances.current, balances.currency), { class: "num current" }), el("td", money(balances.available, balances.currency), { class: "num available" }));
      return row;
    }));
    if (!answer.ok) say(`Accounts are not available: ${answer.body.error_message || answer.status}`, true);
    const filter = $("account-filter");
    if (filter.querySelectorAll("input").length === 0) {
      for (const account of accounts) {
        const label = el("label", null);
        label.append(el("input", null, { type: "checkbox", name: "account_ids", value: account.account_id }), ` ${account.name} ••${account.account_mask}`);
        filter.append(label);
      }
    }
    await loadTransactions();
  }

  function money(value, currency) {
    if (value === null || value === undefined) return "—";
    const amount = typeof value === "number" ? value.toFixed(2) : String(value); // decimals may come as strings; keep them as sent
    return `${amount} ${currency || ""}`.trim();
  }

  function filterQuery() {
    const query = new URLSearchParams();
    for (const box of $("account-filter").querySelectorAll("input:checked")) query.append("account_ids", box.value);
    if ($("start-date").value) query.set("start_date", $("start-date").value);
    if ($("end-date").value) query.set("end_date", $("end-date").value);
    query.set("page", String(view.page));
    query.set("size", $("page-size").value);
    return query;
  }

  async function loadTransactions() {
    const linkId = view.selected;
    const link = view.links.get(linkId) || {};
    const shared = Boolean(link.products && link.products.transactions);
    $("filters").hidden = !shared;
    document.querySelector(".pager").hidden = !shared;
    $("transactions").hidden = !shared;
    $("transactions-note").hidden = shared;
    if (!shared) return;
    const query = filterQuery();
    const request = ++view.requests;
    const answer = await call("GET", `/demo/links/${encodeURIComponent(linkId)}/transactions?${query}`);
    if (linkId !== view.selected || request !== view.requests) return; // a later request (new filters, page) wins
    const body = $("transactions").tBodies[0];
    if (!answer.ok) {
      body.replaceChildren();
      $("page-info").textContent = "";
      say(`Transactions are not available: ${answer.body.error_message || answer.status}`, true);
      return;
    }
    const names = new Map((answer.body.accounts || []).map((a) => [a.account_id, a.name]));
    body.replaceChildren(...(answer.body.transactions || []).map((t) => {
      const row = el("tr", null, { "data-transaction-id": t.transaction_id });
      row.append(el("td", String(t.date || "").slice(0, 10)), el("td", t.description), el("td", names.get(t.account_id) || t.account_id),
        el("td", money(t.amount, t.currency), { class: "num" }), el("td", t.pending ? "pending" : "posted"));
      return row;
    }));
    const size = Number(query.get("size")); // the answer's size counts this page's rows
    const total = Number(answer.body.total) || 0;
    const pages = Math.max(1, Math.ceil(total / size));
    $("page-info").textContent = `Page ${view.page} of ${pages} · ${total} transactions`;
    $("page-info").dataset.total = String(total);
    $("transactions").dataset.query = query.toString();
    $("previous-page").disabled = view.page <= 1;
    $("next-page").disabled = view.page >= pages;
  }

  // --- start -------------------------------------------------------------------------------------------------------
  async function startConnect() {
    $("link-account").disabled = true;
    const answer = await call("POST", "/demo/link-session");
    if (answer.ok && answer.body.connect_url) { window.location.assign(answer.body.connect_url); return; }
    $("link-account").disabled = false;
    say(`Could not start Connect: ${answer.body.error_message || answer.status}`, true);
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("detail-heading").tabIndex = -1;
    $("link-account").addEventListener("click", startConnect);
    $("filters").addEventListener("submit", (event) => { event.preventDefault(); view.page = 1; loadTransactions(); });
    $("previous-page").addEventListener("click", () => { view.page -= 1; loadTransactions(); });
    $("next-page").addEventListener("click", () => { view.page += 1; loadTransactions(); });

    const params = new URLSearchParams(window.location.search);
    const linked = params.get("linked");
    const error = params.get("connect_error");
    if (params.has("linked") || params.has("connect_error") || params.has("user")) history.replaceState(null, "", "/");
    if (error) say(`Connect ended without a new link: ${error}`, true);
    await pollLinks();
    if (linked && view.links.has(linked)) {
      say(`Linked ${institution(view.links.get(linked))} (${linked}).`);
      await select(linked);
    }
    setInterval(pollLinks, pollMs);
  });
})();
