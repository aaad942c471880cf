// Small helpers shared by the pages' scripts (app.mjs, sign.mjs, the workspace's ws-dom.mjs): a
// plain element builder and byte sizes in binary units. Nothing here runs on import.

/** Builds an element: el("p", {class: "x"}, "text", child, ...); onclick is a listener, true an empty attribute. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "onclick") node.addEventListener("click", v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** A size in bytes, short: "512 B", "1.5 KiB", "3.0 MiB", … up to TiB. */
export function formatBytes(bytes) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}
