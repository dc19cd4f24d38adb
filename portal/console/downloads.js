// Buttons that download a CSV the API makes (errors.csv, the placements), or say next to themselves why
// they could not.
import { download } from "./api.js";
import { el, saveFile, tell } from "./dom.js";
import { errorText } from "./errors.js";

export function downloadButton(text, path, filename, attributes = {}) {
  const problem = el("span", { role: "alert" });
  const button = el("button", { type: "button", ...attributes, onclick: async () => {
    tell(problem, "", "");
    const { ok, data } = await download(path);
    if (!ok) return tell(problem, errorText(data));
    saveFile(data, filename);
  } }, text);
  return [button, problem];
}

// A button that opens a signed download link (the job's errors_csv_url): it needs no token, so the
// browser saves the file itself as it streams in, whatever its size. The link lives minutes only, so
// freshLink asks the API for one at the click; it answers like api() with the link in data.
export function signedDownloadButton(text, freshLink, attributes = {}) {
  const problem = el("span", { role: "alert" });
  const button = el("button", { type: "button", ...attributes, onclick: async () => {
    tell(problem, "", "");
    const { ok, data } = await freshLink();
    if (!ok) return tell(problem, errorText(data));
    const link = el("a", { href: data, download: "" });
    document.body.append(link);
    link.click();
    link.remove();
  } }, text);
  return [button, problem];
}
