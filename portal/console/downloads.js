// A button that downloads a CSV the API makes (errors.csv, the placements), or says next to itself why
// it could not.
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
