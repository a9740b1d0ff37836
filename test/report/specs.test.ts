// Every chart spec is valid Vega-Lite (checked against the schema vega-lite ships), and a chart
// without data still draws a mark that says why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCharts } from '../../src/report/specs.js';
import { noExitsData, sampleData } from './fixtures/sampleData.js';
import { vegaLiteValidator } from './fixtures/vlSchema.js';

const { validate } = vegaLiteValidator();

for (const [name, make] of [['sample', sampleData], ['no kvm_exit', noExitsData]] as const) {
  test(`every ${name} chart spec validates against the Vega-Lite JSON schema`, () => {
    const charts = buildCharts(make());
    assert.equal(charts.length, 10);
    for (const c of charts) {
      const err = validate(c.spec);
      assert.equal(err, null, `${c.id}: ${err}`);
    }
  });
}

test('the schema check catches an invalid spec (so the test above can fail)', () => {
  const bad = { ...buildCharts(sampleData())[1]!.spec, mark: 'not-a-mark' };
  assert.notEqual(validate(bad), null);
});

test('a trace without kvm_exit gives text marks saying "exits not traced", not blank charts', () => {
  const charts = buildCharts(noExitsData());
  const byId = new Map(charts.map((c) => [c.id, c]));
  for (const id of ['exits-by-reason', 'eht-over-time', 'exit-duration-cdf']) {
    const spec = byId.get(id)!.spec as { mark?: { type: string }; data?: { values: { message: string }[] } };
    assert.equal(spec.mark?.type, 'text', id);
    assert.match(spec.data!.values[0]!.message, /not traced/, id);
  }
  // the I/O path is still drawn from kicks and events
  assert.notEqual((byId.get('io-devices')!.spec as { mark?: unknown }).mark, undefined);
  assert.equal((byId.get('exit-heatmap')!.spec as { mark?: unknown }).mark, 'rect');
  assert.match(byId.get('exit-heatmap')!.title, /exits not traced/);
});

test('HLT is drawn apart from busy exits (its own panels and scale)', () => {
  const spec = buildCharts(sampleData())[0]!.spec as { vconcat: { hconcat: { title: string; data: { values: { reason: string }[] } }[] }[] };
  assert.equal(spec.vconcat.length, 2);
  const busy = spec.vconcat[0]!.hconcat[0]!.data.values.map((r) => r.reason);
  const halt = spec.vconcat[1]!.hconcat[0]!.data.values.map((r) => r.reason);
  assert.ok(!busy.includes('HLT'));
  assert.deepEqual(halt, ['HLT']);
});
