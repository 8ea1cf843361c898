// Runs a WASI build of the `forward_timing` example under Node's WASI and prints its output.
// Usage: node --experimental-wasi-unstable-preview1 runner.mjs <forward_timing.wasm> [runs]
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, exit } from 'node:process';

const [wasmPath, runs = '300'] = argv.slice(2);
if (!wasmPath) {
  console.error('usage: node --experimental-wasi-unstable-preview1 runner.mjs <forward_timing.wasm> [runs]');
  exit(2);
}
const wasi = new WASI({ version: 'preview1', args: ['forward_timing', runs], env: {} });
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
