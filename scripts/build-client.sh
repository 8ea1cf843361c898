#!/usr/bin/env bash
# Builds the web client bundle into client/dist/: the Yew app compiled to wasm32 (size profile
# `wasm-release`), bound with wasm-bindgen (--target web), shrunk with wasm-opt -Oz (SIMD kept),
# content-hashed file names, index.html, style.css, the lesson (article.html, which the page
# fetches only when it is first opened), the service worker (with the asset list and a version
# baked in, so the offline cache is replaced exactly when the bundle changes) and
# asset-manifest.json, each with a gzip copy (`.gz`, written by zopfli) that the server sends
# instead. Prints each file's raw and gzip size: the first visit's files, then the files loaded
# later. Run scripts/setup.sh first.
# Honours CARGO_TARGET_DIR (default: the workspace's target/).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

die() { printf 'build-client: %s\n' "$*" >&2; exit 1; }

command -v zopfli >/dev/null || die "zopfli is not installed; run scripts/setup.sh first."
wasm_opt=$root/node_modules/.bin/wasm-opt
[[ -x $wasm_opt ]] || die "wasm-opt (npm package binaryen) is missing; run scripts/setup.sh first."

target_dir=${CARGO_TARGET_DIR:-$root/target}
case $target_dir in /*) ;; *) target_dir=$root/$target_dir ;; esac

echo "== build-client: cargo build (wasm-release, wasm32-unknown-unknown)"
cargo build --timings --profile wasm-release --target wasm32-unknown-unknown -p client
raw_wasm=$target_dir/wasm32-unknown-unknown/wasm-release/client.wasm
[[ -f $raw_wasm ]] || die "cargo did not produce $raw_wasm."

staging=$(mktemp -d "$target_dir/client-dist.XXXXXX")
trap 'rm -rf "$staging"' EXIT

# wasm-bindgen and wasm-opt take half a minute and give the same bytes for the same module and
# tool versions: their output is kept under the hash of all three, so a rebuild whose Rust did
# not change the module (a warm test run, a stylesheet edit) skips them.
cache=$target_dir/client-build-cache
bindgen_key=$(cat "$raw_wasm" Cargo.lock "$root/node_modules/binaryen/package.json" | sha256sum | cut -c1-32)
bound=$cache/bindgen-$bindgen_key
if [[ -f $bound/client_bg.opt.wasm && -f $bound/client.js ]]; then
    echo "== build-client: wasm-bindgen and wasm-opt: unchanged module, output reused"
else
    echo "== build-client: wasm-bindgen"
    # Built from source with the workspace (client-bindgen), at the version in Cargo.lock.
    cargo run --quiet -p client-bindgen -- --out-dir "$staging/bindgen" --out-name client "$raw_wasm"

    echo "== build-client: wasm-opt -Oz"
    # rustc's wasm32 output uses these proposals (simd128 is switched on in .cargo/config.toml);
    # wasm-opt must be told, or it rejects the module or drops the SIMD instructions.
    "$wasm_opt" -Oz \
        --enable-simd --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
        --enable-mutable-globals --enable-reference-types --enable-multivalue \
        "$staging/bindgen/client_bg.wasm" -o "$staging/bindgen/client_bg.opt.wasm"
    # One module's output is kept: the cache does not grow with every build.
    rm -rf "$cache"/bindgen-*
    mkdir -p "$bound.tmp"
    cp "$staging/bindgen/client_bg.opt.wasm" "$staging/bindgen/client.js" "$bound.tmp/"
    mv "$bound.tmp" "$bound"
fi
mkdir -p "$staging/bindgen"
cp "$bound/client_bg.opt.wasm" "$bound/client.js" "$staging/bindgen/"

# Content-hashed names: a browser or proxy cache can never pair a new index.html with old code.
short_hash() { sha256sum "$1" | cut -c1-16; }
out=$staging/dist
mkdir -p "$out"
wasm_name=client_bg.$(short_hash "$staging/bindgen/client_bg.opt.wasm").wasm
cp "$staging/bindgen/client_bg.opt.wasm" "$out/$wasm_name"
js_name=client.$(short_hash "$staging/bindgen/client.js").js
cp "$staging/bindgen/client.js" "$out/$js_name"
[[ -f client/style.css ]] || die "client/style.css is missing (the client engineer's stylesheet)."
# Comments and indentation stay in the source: a first visit need not download them.
perl -0pe 's{/\*.*?\*/}{}gs; s/^[ \t]+//mg; s/[ \t]+$//mg; s/\n{2,}/\n/g' client/style.css >"$staging/style.css"
css_name=style.$(short_hash "$staging/style.css").css
cp "$staging/style.css" "$out/$css_name"
cp client/icon.svg "$out/icon.svg"
cp client/manifest.webmanifest "$out/manifest.webmanifest"
article_name=article.$(short_hash client/article.html).html
cp client/article.html "$out/$article_name"
# The built-in lessons' data (pictures by sample name), fetched when a lesson is first opened.
lessons_name=lessons.$(short_hash client/lessons.json).json
cp client/lessons.json "$out/$lessons_name"

sed -e "s|{{CLIENT_JS}}|/$js_name|g" -e "s|{{CLIENT_WASM}}|/$wasm_name|g" \
    -e "s|{{STYLE_CSS}}|/$css_name|g" -e "s|{{ARTICLE_HTML}}|/$article_name|g" \
    -e "s|{{LESSONS_JSON}}|/$lessons_name|g" \
    client/index.html >"$out/index.html"
grep -q '{{' "$out/index.html" && die "client/index.html has a placeholder this script does not fill."

# The asset lists: "files" the service worker pre-caches before it takes over ("/" is the app
# shell, i.e. index.html), everything the first screen needs; "later" what the first screen
# does not need (the article and the built-in lessons), which the page fetches when it is first opened and the worker
# caches in the background once it has taken over, so a first visit never waits for it.
assets=(index.html "$js_name" "$wasm_name" "$css_name" icon.svg manifest.webmanifest)
later=("$article_name" "$lessons_name")
version=$(cd "$out" && cat "${assets[@]}" "${later[@]}" | sha256sum | cut -c1-16)
# Prints one JSON list of files.
file_list() {
    local files=("$@")
    for i in "${!files[@]}"; do
        local file=${files[$i]}
        local separator
        separator=$([[ $i -lt $((${#files[@]} - 1)) ]] && echo , || true)
        printf '    { "path": "/%s", "bytes": %d, "sha256": "%s" }%s\n' \
            "$file" "$(stat -c %s "$out/$file")" "$(sha256sum "$out/$file" | cut -d' ' -f1)" "$separator"
    done
}
{
    printf '{\n  "version": "%s",\n  "files": [\n' "$version"
    file_list "${assets[@]}"
    printf '  ],\n  "later": [\n'
    file_list "${later[@]}"
    printf '  ]\n}\n'
} >"$out/asset-manifest.json"
# The worker needs only the version and the paths (the sizes and hashes are for reports).
paths_json() { local first=1; for file in "$@"; do printf '%s"/%s"' "$([[ $first ]] || echo ,)" "$file"; first=; done; }
manifest_json=$(printf '{"version":"%s","files":[%s],"later":[%s]}' \
    "$version" "$(paths_json "${assets[@]}")" "$(paths_json "${later[@]}")")
# Whole-line comments stay in the source: a first visit need not download them.
awk -v manifest="$manifest_json" '/^[ \t]*\/\// { next } { gsub(/\/\*ASSET_MANIFEST\*\/null/, manifest); print }' \
    client/sw.js >"$out/sw.js"
grep -q '"version"' "$out/sw.js" || die "client/sw.js lacks the /*ASSET_MANIFEST*/null placeholder."

# Gzip-compressed copies, which the server sends to browsers that accept gzip (all do): a first
# visit transfers these, not the raw files. zopfli writes standard gzip ≈ 4 % smaller than
# gzip -9 (measured on the wasm: ≈ 20 KB), once per build; browsers decode it as any gzip.
# zopfli is slow (seconds for the wasm): a file's gzip copy is kept under its content hash.
mkdir -p "$cache/gzip"
used_gzips=()
for file in "${assets[@]}" sw.js asset-manifest.json "${later[@]}"; do
    gzipped=$cache/gzip/$(sha256sum "$out/$file" | cut -c1-32).gz
    if [[ ! -f $gzipped ]]; then
        zopfli --gzip -c "$out/$file" >"$gzipped.tmp"
        mv "$gzipped.tmp" "$gzipped"
    fi
    cp "$gzipped" "$out/$file.gz"
    used_gzips+=("$gzipped")
done
# Only this bundle's copies stay: the cache does not grow with every build.
for gzipped in "$cache"/gzip/*.gz; do
    [[ " ${used_gzips[*]} " == *" $gzipped "* ]] || rm -f "$gzipped"
done

# Replace the old bundle in one step, so a running server never serves a half-written one. An
# identical bundle is left alone: its files keep their times, so cargo does not rebuild the
# server that embeds it (a warm test run would otherwise relink the server and every e2e test).
if [[ -d client/dist ]] && diff -r -q client/dist "$out" >/dev/null; then
    echo "== build-client: client/dist is unchanged"
else
    rm -rf client/dist.old
    [[ -d client/dist ]] && mv client/dist client/dist.old
    mv "$out" client/dist
    rm -rf client/dist.old
fi

echo "== build-client: client/dist (version $version)"
total_raw=0
total_gzip=0
for file in "${assets[@]}" sw.js asset-manifest.json; do
    raw=$(stat -c %s "client/dist/$file")
    gz=$(stat -c %s "client/dist/$file.gz")
    total_raw=$((total_raw + raw))
    total_gzip=$((total_gzip + gz))
    printf '  %-40s %9d B  gzip %9d B\n' "$file" "$raw" "$gz"
done
printf '  %-40s %9d B  gzip %9d B\n' "first visit (all of the above)" "$total_raw" "$total_gzip"
echo "  loaded later (not needed for the first screen):"
for file in "${later[@]}"; do
    printf '  %-40s %9d B  gzip %9d B\n' "$file" "$(stat -c %s "client/dist/$file")" \
        "$(stat -c %s "client/dist/$file.gz")"
done
