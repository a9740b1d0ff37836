import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { HostController } from '../../../collectors/lab/host/controller.js';

const open = (port: number): Promise<Socket> => new Promise((res, rej) => { const s = connect(port, '127.0.0.1', () => res(s)); s.once('error', rej); });

test('controller: a guest that sends its reply in pieces, after a hello, is answered line by line', async () => {
  const c = await HostController.start();
  try {
    const g = await open(c.ctrlPort);
    g.setEncoding('utf8');
    g.write('hello es2lab 1\n');
    assert.equal(await c.nextLine(5000), 'hello es2lab 1');
    g.on('data', (d: string) => {
      assert.equal(d, 'disk 100 8 4096\n');
      g.write('done disk ms=10');
      setTimeout(() => g.write('0 ops=8 bytes=32768\n'), 20);
    });
    const r = await c.command('disk 100 8 4096', 5000);
    assert.deepEqual(r.fields, { ms: 100, ops: 8, bytes: 32768 });
    g.destroy();
  } finally { c.close(); }
});

test('controller: echo returns what the guest sends; sink counts bytes; a second control connection is refused', async () => {
  const c = await HostController.start();
  try {
    const e = await open(c.echoPort);
    const back = new Promise<string>((res) => e.once('data', (d) => res(d.toString())));
    e.write('ping-64');
    assert.equal(await back, 'ping-64');
    e.destroy();
    const s = await open(c.sinkPort);
    await new Promise<void>((res) => s.write(Buffer.alloc(5000), () => res()));
    for (let i = 0; i < 50 && c.sinkBytes < 5000; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(c.sinkBytes, 5000);
    s.destroy();
    const g1 = await open(c.ctrlPort);
    const g2 = await open(c.ctrlPort);
    const closed = await new Promise<boolean>((res) => { g2.once('close', () => res(true)); setTimeout(() => res(false), 2000); });
    assert.equal(closed, true, 'one guest per lab');
    g1.destroy();
  } finally { c.close(); }
});

test('controller: a dead QEMU ends the wait with its reason instead of hanging', async () => {
  const c = await HostController.start();
  try {
    await assert.rejects(c.nextLine(10_000, () => 'QEMU exited (code 1): qemu-system-x86_64: -accel kvm: no /dev/kvm'), /QEMU exited \(code 1\)/);
    await assert.rejects(c.nextLine(50), /no answer from the guest within 0 s/);
  } finally { c.close(); }
});
