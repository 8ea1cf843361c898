// Runs a WASI build of a models example under Node's WASI and prints its output.
// Usage: node --experimental-wasi-unstable-preview1 runner.mjs [--dir=<path>]... <example.wasm> [args...]
// Each --dir makes that directory (relative to the working directory) readable by the program
// under the same path.
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';
import { argv, exit } from 'node:process';

const all = argv.slice(2);
const dirs = all.filter((a) => a.startsWith('--dir=')).map((a) => a.slice('--dir='.length));
const [wasmPath, ...args] = all.filter((a) => !a.startsWith('--dir='));
if (!wasmPath) {
  console.error('usage: node --experimental-wasi-unstable-preview1 runner.mjs [--dir=<path>]... <example.wasm> [args...]');
  exit(2);
}
const preopens = Object.fromEntries(dirs.map((d) => [d, d]));
const wasi = new WASI({ version: 'preview1', args: ['example', ...args], env: {}, preopens });
const module = await WebAssembly.compile(await readFile(wasmPath));
const instance = await WebAssembly.instantiate(module, wasi.getImportObject());
exit(wasi.start(instance));
