import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kernelCacheKey } from '../../../collectors/lab/cacheKey.js';
import { kernelKeyInputs } from '../../../collectors/lab/kernel.js';

test('cache key does not depend on the order the inputs were found in', () => {
  const a = [{ name: 'guest/a', content: 'x' }, { name: 'guest/b', content: 'y' }];
  assert.equal(kernelCacheKey(a), kernelCacheKey([...a].reverse()));
  assert.match(kernelCacheKey(a), /^[0-9a-f]{16}$/);
});

test('cache key changes when any input byte changes', () => {
  const base = [{ name: 'guest/lab.config', content: 'CONFIG_SMP=y\n' }, { name: 'source', content: '6.1.192-2 138009412' }];
  const k = kernelCacheKey(base);
  assert.notEqual(kernelCacheKey([base[0]!, { name: 'source', content: '6.1.193-1 138009412' }]), k);
  assert.notEqual(kernelCacheKey([{ name: 'guest/lab.config', content: 'CONFIG_SMP=n\n' }, base[1]!]), k);
  assert.notEqual(kernelCacheKey([...base, { name: 'guest/patches/0003.patch', content: '' }]), k, 'a new empty file counts');
});

test('moving bytes from one input to the next changes the key (length-prefixed)', () => {
  assert.notEqual(
    kernelCacheKey([{ name: 'a', content: 'ab' }, { name: 'b', content: 'c' }]),
    kernelCacheKey([{ name: 'a', content: 'a' }, { name: 'b', content: 'bc' }]),
  );
});

test('the key covers every file the build reads: config, patches, driver, build script, source identity', () => {
  const names = kernelKeyInputs().map((i) => i.name);
  for (const n of ['guest/lab.config', 'guest/es2lab.c', 'guest/build-kernel.sh', 'guest/patches/0001-skip-int3-selftest.patch', 'guest/patches/0002-fpu-no-fwait-fnclex.patch', 'source']) {
    assert.ok(names.includes(n), n);
  }
  assert.ok(!names.some((n) => n.endsWith('README.md')), 'editing documentation does not rebuild the kernel');
});
