// SHA-256 of a File (or any Blob), read in chunks so that progress can be shown. Files up to
// SUBTLE_LIMIT are gathered and hashed by WebCrypto in one call; larger ones (WebCrypto has no
// streaming digest) go chunk by chunk through the JavaScript implementation, as do all files
// when WebCrypto is unavailable (pages served over plain http to another host).
import { Sha256, toHex } from "./sha256.mjs";

export const CHUNK_BYTES = 4 * 1024 * 1024;
export const SUBTLE_LIMIT = 64 * 1024 * 1024;

/**
 * Resolves to "0x" + 64 lowercase hex digits. onProgress(doneBytes, totalBytes) is called after
 * each chunk; isCancelled() is asked between chunks (a cancelled hash resolves to null).
 */
export async function hashFile(blob, { onProgress = () => {}, isCancelled = () => false, subtleLimit = SUBTLE_LIMIT } = {}) {
  const total = blob.size;
  const subtle = globalThis.crypto?.subtle;
  const whole = subtle && total <= subtleLimit ? new Uint8Array(total) : null;
  const hasher = whole ? null : new Sha256();
  onProgress(0, total);
  for (let offset = 0; offset < total; offset += CHUNK_BYTES) {
    if (isCancelled()) return null;
    const chunk = new Uint8Array(await blob.slice(offset, Math.min(offset + CHUNK_BYTES, total)).arrayBuffer());
    if (whole) whole.set(chunk, offset);
    else hasher.update(chunk);
    onProgress(offset + chunk.length, total);
  }
  if (isCancelled()) return null;
  if (whole) return toHex(new Uint8Array(await subtle.digest("SHA-256", whole)));
  return toHex(hasher.digest());
}
