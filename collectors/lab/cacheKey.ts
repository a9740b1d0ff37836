// The guest kernel cache key: a hash of everything that changes the built vmlinux (config
// fragment, patches, workload driver, build script, and the identity of the source tarball), so a
// re-run boots the cached kernel and any edit rebuilds it. Pure: named contents in, hex key out.
import { createHash } from 'node:crypto';

export interface KeyInput { name: string; content: string | Uint8Array }

/** sha256 over the inputs in name order (so the order of discovery does not matter), 16 hex chars. */
export function kernelCacheKey(inputs: readonly KeyInput[]): string {
  const h = createHash('sha256');
  const sorted = [...inputs].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const i of sorted) {
    const body = typeof i.content === 'string' ? Buffer.from(i.content, 'utf8') : i.content;
    // length-prefixed, so moving bytes from one input to the next changes the key
    h.update(`${i.name}\0${body.length}\0`);
    h.update(body);
  }
  return h.digest('hex').slice(0, 16);
}
