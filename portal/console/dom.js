// Building the page: every element the console shows is made with el(), so attributes and event
// handlers are set one way (never inline styles or HTML strings, which the strict CSP would refuse).
import { inSession } from "./api.js";

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else if (value !== false && value != null) node.setAttribute(name, value);
  }
  for (const child of children.flat()) if (child != null) node.append(child instanceof Node ? child : String(child));
  return node;
}

// A labelled input with a place (#<id>-error) where a refusal of just this field can be shown.
export function field(labelText, input, id) {
  input.id = id;
  return el("label", { for: id }, labelText, input, el("span", { class: "field-error", id: `${id}-error`, role: "alert" }));
}

// options are [value, text] pairs; value is the one selected.
export function select(options, value, attributes = {}) {
  return el("select", attributes, options.map(([optionValue, text]) =>
    el("option", { value: optionValue, selected: optionValue === value }, text)));
}

// Every table is shown through this: one wider than a phone's screen then scrolls sideways by itself,
// not the whole page.
export function scrollable(table) {
  return el("div", { class: "scrolls-sideways" }, table);
}

export function columnHeads(texts) {
  return el("thead", {}, el("tr", {}, texts.map((text) => el("th", { scope: "col" }, text))));
}

// Text in a message element the page made beforehand with role="alert" or "status", so that a screen
// reader announces it: kind "notice" for a problem, "ok" for a success, "" when there is nothing to say.
export function tell(node, text, kind = "notice") {
  node.className = kind;
  node.textContent = text;
}

// How a page draws itself once its answers came in, taken when the page starts: it draws only while
// the address is still the one it was asked for, and the session still runs (else the login shows).
// An answer that arrives after the administrator went on to another page must not cover that page.
// Parts left out (null: a form the user's rights do not allow) are skipped.
export function pageAt(address = location.hash) {
  return (...children) => {
    if (!inSession() || location.hash !== address) return;
    document.getElementById("main").replaceChildren(...children.flat().filter((child) => child != null));
  };
}

export function showLoginPage(...children) {
  document.getElementById("main").replaceChildren(...children);
}

export function saveFile(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  // The browser reads the file after this click returns; revoking at once could cut that short.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
