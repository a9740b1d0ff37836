// lineAlignedRanges: chunks end just after a newline, cover the file without gaps, and a line
// longer than a chunk stays whole (its chunk just grows).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { lineAlignedRanges } from '../../../../collectors/common/parallel/ranges.js';
import { tmpTrace } from '../../text/textUtil.js';

test('cut points fall after newlines, cover every byte once, and survive a line longer than a chunk', () => {
  const lines = ['short', 'x'.repeat(300_000), 'mid line here', '', 'last without newline'];
  const p = tmpTrace(lines.join('\n'));
  const bytes = readFileSync(p);
  for (const chunk of [1, 7, 100, 65_536, 1 << 20]) {
    const rs = lineAlignedRanges(p, bytes.length, chunk);
    assert.equal(rs[0]!.start, 0);
    assert.equal(rs.at(-1)!.end, bytes.length);
    for (let i = 0; i < rs.length; i++) {
      assert.ok(rs[i]!.end > rs[i]!.start, `chunk ${chunk}: empty range ${i}`);
      if (i > 0) assert.equal(rs[i]!.start, rs[i - 1]!.end);
      if (i < rs.length - 1) assert.equal(bytes[rs[i]!.end - 1], 10, `chunk ${chunk}: range ${i} does not end at a newline`);
    }
    // the 300 kB line is never cut
    const big = bytes.indexOf('x');
    assert.ok(rs.some((r) => r.start <= big && r.end > big + 300_000));
  }
});
