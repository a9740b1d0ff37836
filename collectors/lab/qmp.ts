// A minimal QMP client over QEMU's unix socket (-qmp unix:PATH,server=on,wait=off): capabilities
// handshake, then one command at a time. Used for `query-pci` (notify addresses) and `quit`.
import { connect, type Socket } from 'node:net';

export class Qmp {
  private buf = '';
  private readonly pending: ((v: { return?: unknown; error?: { desc?: string } }) => void)[] = [];
  private constructor(private readonly sock: Socket) {
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl).trim();
        this.buf = this.buf.slice(nl + 1);
        if (!line) continue;
        let msg: Record<string, unknown>;
        try { msg = JSON.parse(line) as Record<string, unknown>; } catch { continue; }
        if ('return' in msg || 'error' in msg) this.pending.shift()?.(msg as { return?: unknown; error?: { desc?: string } });
        // greeting ("QMP") and asynchronous events are not answers
      }
    });
    sock.on('error', () => { /* a dead QEMU shows as a timeout below */ });
  }

  static async open(path: string, timeoutMs = 10_000): Promise<Qmp> {
    const sock = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path, () => resolve(s));
      s.once('error', reject);
      setTimeout(() => reject(new Error(`QMP socket ${path}: no connection in ${timeoutMs} ms`)), timeoutMs).unref();
    });
    const q = new Qmp(sock);
    await q.execute('qmp_capabilities', undefined, timeoutMs);
    return q;
  }

  execute(cmd: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`QMP ${cmd}: no answer in ${timeoutMs} ms`)), timeoutMs);
      this.pending.push((v) => {
        clearTimeout(t);
        if (v.error) reject(new Error(`QMP ${cmd}: ${v.error.desc ?? 'error'}`)); else resolve(v.return);
      });
      this.sock.write(`${JSON.stringify(args ? { execute: cmd, arguments: args } : { execute: cmd })}\n`);
    });
  }

  close(): void { this.sock.destroy(); }
}
