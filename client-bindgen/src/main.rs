//! `client-bindgen`: the step of `scripts/build-client.sh` that turns the client's raw
//! WebAssembly into an ES module plus the module's JavaScript glue, as `wasm-bindgen --target web
//! --no-typescript` does. The library the wasm-bindgen CLI is made of, built with the workspace:
//! a fresh machine compiles it in a fraction of the CLI's `cargo install` (no test runner, no
//! HTTP server), its version comes from Cargo.lock, and nothing is installed system-wide.

#![forbid(unsafe_code)]

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Parser;
use wasm_bindgen_cli_support::Bindgen;

/// Command-line arguments.
#[derive(Parser)]
#[command(about = "Generates the web client's JavaScript glue from its WebAssembly")]
struct Args {
    /// The `.wasm` that `cargo build --target wasm32-unknown-unknown -p client` made.
    input: PathBuf,
    /// Where `<out-name>.js` and `<out-name>_bg.wasm` are written.
    #[arg(long)]
    out_dir: PathBuf,
    /// The base name of the generated files.
    #[arg(long, default_value = "client")]
    out_name: String,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let mut bindgen = Bindgen::new();
    // The wasm-bindgen CLI's defaults for `--target web --no-typescript`, spelled out, so the
    // output is byte for byte what the CLI of the same version writes (reference types are
    // detected from the module, as there).
    bindgen
        .input_path(&args.input)
        .web(true)?
        .debug(false)
        .demangle(true)
        .keep_lld_exports(false)
        .keep_debug(false)
        .split_debug_info(false)
        .remove_name_section(false)
        .remove_producers_section(false)
        .typescript(false)
        .omit_imports(false)
        .omit_default_module_path(false)
        .split_linked_modules(false)
        .js_string_builtins(false)
        .ts_typed_array_buffers(false)
        .reset_state_function(false)
        .force_enable_abort_handler(false)
        .out_name(&args.out_name);
    bindgen
        .generate(&args.out_dir)
        .with_context(|| format!("wasm-bindgen could not process {}", args.input.display()))
}
