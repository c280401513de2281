//! Embeds the bundled lexicons in the binary, so that a `voctag` copied
//! anywhere still finds them. Writes `$OUT_DIR/bundled_lexicons.rs`: a
//! sorted list of (relative path, contents).

use std::path::Path;
use std::{env, fs};

fn main() {
    // Read at run time, not with env!(): a build script compiled for one
    // checkout is reused from a shared or moved target directory, and its
    // compile-time path would point at the other checkout's lexicons.
    let manifest_dir = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    let root = Path::new(&manifest_dir).join("lexicons");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut out = String::from("pub const BUNDLED_LEXICONS: &[(&str, &str)] = &[\n");
    for rel in &files {
        let abs = root.join(rel);
        println!("cargo:rerun-if-changed={}", abs.display());
        out.push_str(&format!(
            "    ({rel:?}, include_str!({:?})),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest =
        Path::new(&env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled_lexicons.rs");
    fs::write(dest, out).expect("OUT_DIR is writable");
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(root, &path, files);
        } else if path.extension().is_some_and(|e| e == "toml") {
            let rel = path.strip_prefix(root).expect("walked from root");
            files.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}
