import assert from 'node:assert/strict';
import test from 'node:test';
import { formatInterconnect, INTERCONNECT_PRESETS, parseBandwidth, parseInterconnect, parseLatency, type Interconnect } from './interconnect.js';

const ok = (text: string): Interconnect => {
  const r = parseInterconnect(text);
  assert.ok(r.ok, `${text}: ${r.ok ? '' : r.problem}`);
  return r.value;
};
const problem = (text: string): string => {
  const r = parseInterconnect(text);
  assert.ok(!r.ok, `${text} was accepted`);
  return r.problem;
};

test('presets carry their nominal figures, one direction, in bytes per second', () => {
  assert.deepEqual(ok('eth10g'), { name: 'eth10g', bytesPerSec: 1.25e9, latencySeconds: 50e-6 });
  assert.deepEqual(ok('eth25g'), { name: 'eth25g', bytesPerSec: 3.125e9, latencySeconds: 50e-6 });
  assert.deepEqual(ok('eth100g'), { name: 'eth100g', bytesPerSec: 12.5e9, latencySeconds: 20e-6 });
  // PCIe 4.0 ×16: 16 GT/s × 16 lanes × 128/130 ÷ 8 bits.
  assert.equal(ok('pcie4').bytesPerSec, 31507692307.692307);
  assert.deepEqual(ok('nvlink3'), { name: 'nvlink3', bytesPerSec: 300e9, latencySeconds: 3e-6 });
  assert.deepEqual(ok('nvlink4'), { name: 'nvlink4', bytesPerSec: 450e9, latencySeconds: 3e-6 });
  assert.deepEqual(Object.keys(INTERCONNECT_PRESETS), ['eth10g', 'eth25g', 'eth100g', 'pcie4', 'nvlink3', 'nvlink4']);
});

test('bandwidth,latency with units: bits (b) and bytes (B) apart, prefixes in either case', () => {
  assert.deepEqual(ok('10Gbit/s,50us'), { name: null, bytesPerSec: 1.25e9, latencySeconds: 50e-6 });
  assert.deepEqual(ok(' 25 GB/s , 2µs '), { name: null, bytesPerSec: 25e9, latencySeconds: 2e-6 });
  assert.deepEqual(ok('100Gbps,1ms'), { name: null, bytesPerSec: 12.5e9, latencySeconds: 1e-3 });
  assert.deepEqual(ok('2GiB/s,800ns'), { name: null, bytesPerSec: 2147483648, latencySeconds: 8e-7 });
  assert.deepEqual(ok('800mbit/s,0s'), { name: null, bytesPerSec: 1e8, latencySeconds: 0 });
  assert.equal(parseBandwidth('10Gb/s'), 1.25e9);
  assert.equal(parseBandwidth('10GB/s'), 1e10);
  assert.equal(parseBandwidth('1.5e3kB/s'), 1.5e6);
  assert.equal(parseLatency('0.5s'), 0.5);
});

test('a bad value says what is wrong with it and what is accepted', () => {
  assert.match(problem('fast'), /^must be a preset \(eth10g, eth25g, eth100g, pcie4, nvlink3, nvlink4\) or BANDWIDTH,LATENCY such as 10Gbit\/s,50us .*; give both figures, or a preset$/);
  assert.match(problem('10Gbit/s'), /give both figures/);
  assert.match(problem('10Gb,50us'), /"10Gb" is not a bandwidth with a unit$/);
  assert.match(problem('10Gibit/s,5us'), /"10Gibit\/s" is not a bandwidth/);
  assert.match(problem('0Gbit/s,5us'), /"0Gbit\/s" is not a bandwidth/);
  assert.match(problem('-1GB/s,5us'), /"-1GB\/s" is not a bandwidth/);
  assert.match(problem('10Gbit/s,50'), /"50" is not a latency with a unit$/);
  assert.match(problem('10Gbit/s,-5us'), /"-5us" is not a latency/);
  assert.match(problem('nvlink'), /must be a preset/);
});

test('figures are shown as links are sold: decimal bytes, and bits for the fast ones', () => {
  assert.equal(formatInterconnect(INTERCONNECT_PRESETS['eth10g']!), 'eth10g (10 Gbit/s = 1.25 GB/s each way, 50 µs per message)');
  assert.equal(formatInterconnect(INTERCONNECT_PRESETS['nvlink4']!), 'nvlink4 (3600 Gbit/s = 450 GB/s each way, 3 µs per message)');
  assert.equal(formatInterconnect({ name: null, bytesPerSec: 1e8, latencySeconds: 2e-3 }), 'given link (100 MB/s each way, 2 ms per message)');
  assert.equal(formatInterconnect({ name: null, bytesPerSec: 1e8, latencySeconds: 1.5 }), 'given link (100 MB/s each way, 1.5 s per message)');
});
