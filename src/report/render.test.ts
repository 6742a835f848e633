import assert from 'node:assert/strict';
import test from 'node:test';
import { escapeHtml, renderPng, renderSvg, scriptJson, vegaScripts, type VegaLiteSpec } from './render.js';

const spec: VegaLiteSpec = {
  data: { values: [{ b: 1, s: 900 }, { b: 16, s: 70 }, { b: 256, s: 9 }] },
  mark: { type: 'point' },
  encoding: { x: { field: 'b', type: 'quantitative', scale: { type: 'log' } }, y: { field: 's', type: 'quantitative' } },
};

test('renderSvg draws one mark per data row, headless', async () => {
  const svg = await renderSvg(spec);
  assert.match(svg, /^<svg/);
  assert.equal((svg.match(/class="mark-symbol role-mark/g) ?? []).length, 1);
  assert.deepEqual([...svg.matchAll(/aria-label="b: (\d+); s: (\d+)" role="graphics-symbol"/g)].map((m) => [Number(m[1]), Number(m[2])]), [[1, 900], [16, 70], [256, 9]]);
});

test('renderPng gives a PNG twice the spec size', async () => {
  const png = await renderPng({ ...spec, width: 100, height: 50 });
  assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const width = png.readUInt32BE(16);
  const svgWidth = Number(/width="(\d+)"/.exec(await renderSvg({ ...spec, width: 100, height: 50 }))![1]);
  assert.equal(width, svgWidth * 2);
});

test('inline scripts and JSON cannot close their script element', () => {
  assert.ok(!/<\/script(?!>)/i.test(vegaScripts().replace(/<\/script>\n?<script>/g, '')));
  assert.equal(scriptJson({ t: '</script><b>' }), '{"t":"\\u003c/script>\\u003cb>"}');
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});
