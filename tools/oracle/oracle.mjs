// oracle.mjs: reference outputs from TensorFlow.js for Porchlight's C runtime.
//
//   node oracle.mjs --models DIR --out DIR [--frame RAW_BGR416] [--bench]
//
// Loads DIR/nanodet.json (+ .bin) with @tensorflow/tfjs-converter, runs it on
// the "cpu" backend (plain float32 JavaScript: the reference) for each input
// case and writes, per case, OUT/nanodet/<case>/:
//   input_1.f32, Identity.f32 … Identity_5.f32   raw little-endian float32
// and OUT/blazeface/procedural/ likewise (NHWC [1,256,256,3] input) when
// DIR/blazeface.json exists, OUT/faceres/procedural/ (NHWC [1,224,224,3],
// raw 0..255 RGB) and OUT/mobileface/procedural/ (NHWC [1,112,112,3], raw
// 0..255 RGB) when those models exist (ML-MODELS.md §4.4, §4.6). A "/" in an
// output name becomes "_" in its file name (the manifest keeps the name).
//   manifest.txt   one line per tensor: "input|output NAME FILE DIM0 DIM1 …"
// Cases: "procedural" (a deterministic synthetic picture, always) and "frame"
// (a real 416x416 BGR24 frame made by scripts/oracle.sh from the shared test
// footage, when --frame is given). With --bench it also times the wasm
// backend (XNNPACK, SIMD, 1 thread) the way docs/NN.md describes and writes
// OUT/<model>/bench.txt ("wasm_ms_median N") for nanodet, faceres, mobileface.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { loadGraphModel } from '@tensorflow/tfjs-converter';

const SIZE = 416;
// Original NanoDet-g normalisation, BGR order (ML-MODELS.md §4.1).
const MEAN = [103.53, 116.28, 123.675];
const STD = [57.375, 57.12, 58.395];
// Face models run on a procedural picture, raw 0..255 RGB NHWC: [name, side].
const FACE_MODELS = [['faceres', 224], ['mobileface', 112]];

function parseArgs(argv) {
  const a = { bench: false };
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--bench') a.bench = true;
    else if (k === '--models') a.models = argv[++i];
    else if (k === '--out') a.out = argv[++i];
    else if (k === '--frame') a.frame = argv[++i];
    else throw new Error(`unknown argument ${k}`);
  }
  if (!a.models || !a.out) throw new Error('need --models DIR --out DIR');
  return a;
}

// A model handler that reads the graph JSON and its weight shards from disk.
function fileHandler(jsonPath) {
  return {
    load: async () => {
      const j = JSON.parse(fs.readFileSync(jsonPath, 'utf8'));
      const specs = [];
      const bufs = [];
      for (const g of j.weightsManifest) {
        specs.push(...g.weights);
        for (const p of g.paths) bufs.push(fs.readFileSync(path.join(path.dirname(jsonPath), p)));
      }
      const all = Buffer.concat(bufs);
      const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
      return { modelTopology: j.modelTopology, weightSpecs: specs, weightData,
               format: j.format, generatedBy: j.generatedBy, convertedBy: j.convertedBy,
               signature: j.signature, userDefinedMetadata: j.userDefinedMetadata };
    },
  };
}

// Deterministic synthetic BGR picture: gradients, a disc, a bar and fine
// texture, so every channel and every spatial frequency is exercised.
function proceduralBgr(size = SIZE) {
  const px = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = (y * size + x) * 3;
      const dx = x - 150, dy = y - 220;
      const disc = dx * dx + dy * dy < 70 * 70;
      const bar = x > 260 && x < 330 && y > 60 && y < 380;
      let b = (x * 255) / SIZE, g = (y * 255) / SIZE, r = ((x + y) * 127) / SIZE;
      if (disc) { b = 30; g = 200; r = 240; }
      if (bar) { b = 200; g = 60; r = 40; }
      const tex = ((x * 7 + y * 13) % 17) - 8;
      px[o] = Math.max(0, Math.min(255, Math.round(b + tex)));
      px[o + 1] = Math.max(0, Math.min(255, Math.round(g - tex)));
      px[o + 2] = Math.max(0, Math.min(255, Math.round(r + tex)));
    }
  }
  return px;
}

// BGR24 HWC bytes -> normalised float32 NCHW [1,3,416,416].
function toInput(bgr) {
  const plane = SIZE * SIZE;
  const out = new Float32Array(3 * plane);
  for (let i = 0; i < plane; i++)
    for (let c = 0; c < 3; c++) out[c * plane + i] = (bgr[i * 3 + c] - MEAN[c]) / STD[c];
  return out;
}

function writeF32(file, arr) {
  const f = Float32Array.from(arr);
  fs.writeFileSync(file, Buffer.from(f.buffer, f.byteOffset, f.byteLength));
}

// BGR24 bytes -> BlazeFace input: NHWC [1,256,256,3], RGB, v/127.5 - 1 (ML-MODELS.md §4.3).
function toBlazefaceInput(bgr, size) {
  const out = new Float32Array(size * size * 3);
  for (let i = 0; i < size * size; i++)
    for (let c = 0; c < 3; c++) out[i * 3 + c] = bgr[i * 3 + 2 - c] / 127.5 - 1;
  return out;
}

// BGR24 bytes -> raw 0..255 RGB NHWC (faceres, mobileface: they normalise in-graph or not at all).
function toRawRgbInput(bgr, size) {
  const out = new Float32Array(size * size * 3);
  for (let i = 0; i < size * size; i++)
    for (let c = 0; c < 3; c++) out[i * 3 + c] = bgr[i * 3 + 2 - c];
  return out;
}

async function runCase(model, dir, name, data, shape = [1, 3, SIZE, SIZE]) {
  fs.mkdirSync(dir, { recursive: true });
  const inName = model.inputs[0].name;
  const lines = [`input ${inName} ${inName}.f32 ${shape.join(' ')}`];
  writeF32(path.join(dir, `${inName}.f32`), data);
  const x = tf.tensor(data, shape, 'float32');
  const names = model.outputs.map((o) => o.name).sort();
  const res = model.execute({ [inName]: x }, names);
  const outs = Array.isArray(res) ? res : [res]; // one output name -> a bare tensor
  for (let i = 0; i < names.length; i++) {
    const n = names[i].replace(/:0$/, '');
    const file = `${n.replace(/\//g, '_')}.f32`;
    writeF32(path.join(dir, file), outs[i].dataSync());
    lines.push(`output ${n} ${file} ${outs[i].shape.join(' ')}`);
  }
  tf.dispose([x, ...outs]);
  fs.writeFileSync(path.join(dir, 'manifest.txt'), lines.join('\n') + '\n');
  console.log(`oracle: ${dir.split(path.sep).slice(-2).join('/')}: ${names.length} outputs`);
}

// Median wasm latency (SIMD, 1 thread) of one model on input data of shape; writes OUT/bench.txt.
async function benchOne(name, jsonPath, data, shape, outDir) {
  const model = await loadGraphModel(fileHandler(jsonPath));
  const x = tf.tensor(data, shape, 'float32');
  const names = model.outputs.map((o) => o.name);
  const once = () => {
    const t0 = process.hrtime.bigint();
    const res = model.execute({ [model.inputs[0].name]: x }, names);
    const outs = Array.isArray(res) ? res : [res];
    for (const o of outs) o.dataSync();
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    tf.dispose(outs);
    return ms;
  };
  for (let i = 0; i < 5; i++) once();
  const t = [];
  for (let i = 0; i < 25; i++) t.push(once());
  t.sort((a, b) => a - b);
  const med = t[12];
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'bench.txt'),
    `wasm_ms_median ${med.toFixed(2)}\nwasm_ms_min ${t[0].toFixed(2)}\nwasm_ms_p90 ${t[22].toFixed(2)}\n`);
  console.log(`oracle: tfjs wasm (simd, 1 thread) ${name} median ${med.toFixed(1)} ms (min ${t[0].toFixed(1)})`);
  tf.dispose(x);
}

// nanodet (OUT/nanodet/bench.txt, read by bench/nn), then faceres and mobileface when installed.
async function bench(models, data, out) {
  wasm.setWasmPaths(path.join(path.dirname(new URL(import.meta.url).pathname),
    'node_modules/@tensorflow/tfjs-backend-wasm/dist/'));
  await tf.setBackend('wasm');
  await tf.ready();
  await benchOne('nanodet', path.join(models, 'nanodet.json'), data, [1, 3, SIZE, SIZE],
    path.join(out, 'nanodet'));
  for (const [name, size] of FACE_MODELS) {
    const j = path.join(models, `${name}.json`);
    if (fs.existsSync(j))
      await benchOne(name, j, toRawRgbInput(proceduralBgr(size), size), [1, size, size, 3],
        path.join(out, name));
  }
}

async function main() {
  const a = parseArgs(process.argv);
  const jsonPath = path.join(a.models, 'nanodet.json');
  const outDir = path.join(a.out, 'nanodet');
  await tf.setBackend('cpu');
  await tf.ready();
  const model = await loadGraphModel(fileHandler(jsonPath));
  const proc = toInput(proceduralBgr());
  await runCase(model, path.join(outDir, 'procedural'), 'procedural', proc);
  if (a.frame) {
    const raw = fs.readFileSync(a.frame);
    if (raw.length !== SIZE * SIZE * 3) throw new Error(`${a.frame}: want ${SIZE * SIZE * 3} bytes`);
    await runCase(model, path.join(outDir, 'frame'), 'frame', toInput(raw));
  }
  const bfJson = path.join(a.models, 'blazeface.json');
  if (fs.existsSync(bfJson)) {
    const bf = await loadGraphModel(fileHandler(bfJson));
    await runCase(bf, path.join(a.out, 'blazeface', 'procedural'), 'procedural',
      toBlazefaceInput(proceduralBgr(256), 256), [1, 256, 256, 3]);
  }
  for (const [name, size] of FACE_MODELS) {
    const j = path.join(a.models, `${name}.json`);
    if (!fs.existsSync(j)) continue;
    const fm = await loadGraphModel(fileHandler(j));
    await runCase(fm, path.join(a.out, name, 'procedural'), 'procedural',
      toRawRgbInput(proceduralBgr(size), size), [1, size, size, 3]);
  }
  if (a.bench) await bench(a.models, proc, a.out);
}

main().catch((e) => { console.error(`oracle: ${e.message}`); process.exit(1); });
