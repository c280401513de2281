//! `voctag lexicon check` end to end: small lexicon directories with one
//! kind of problem each, the message naming file, line and value, and the
//! exit codes (0 clean, 1 problems, 2 usage).

use std::path::Path;
use std::process::{Command, Output};
use tempfile::TempDir;

fn check(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_voctag"))
        .arg("lexicon")
        .arg("check")
        .args(args)
        .output()
        .expect("voctag runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A lexicon directory with one file, `themes/<name>`.
fn dir_with(name: &str, content: &str) -> TempDir {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir(dir.path().join("themes")).unwrap();
    std::fs::write(dir.path().join("themes").join(name), content).unwrap();
    dir
}

fn path(dir: &TempDir) -> &str {
    dir.path().to_str().unwrap()
}

/// Checks `content` as `themes/mine.toml` on top of the bundled lexicons,
/// expects exit 1 and a line `…/themes/mine.toml:LINE: error: …MESSAGE…: VALUE`.
fn assert_problem(content: &str, line: usize, message: &str, value: &str) {
    let dir = dir_with("mine.toml", content);
    let out = check(&[path(&dir)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let file = dir.path().join("themes").join("mine.toml");
    let prefix = format!("{}:{line}: error: ", file.display());
    let found = err.lines().any(|l| {
        l.starts_with(&prefix)
            && l.contains(message)
            && (value.is_empty() || l.ends_with(&format!(": {value}")))
    });
    assert!(found, "want {prefix}…{message}…: {value}\ngot:\n{err}");
    assert!(
        err.lines()
            .last()
            .unwrap()
            .starts_with("lexicon check failed: "),
        "{err}"
    );
}

const NEW_THEME: &str = "id = \"loyalty_points\"
category = \"service\"
label_en = \"loyalty points\"
label_zh = \"积分\"
terms = [
  { term = \"积分\" },
  { term = \"points\" },
]

[[golden]]
text = \"积分兑换太麻烦了\"
expect = [\"loyalty_points:negative\"]
";

#[test]
fn a_clean_directory_passes_with_a_summary() {
    let dir = dir_with("loyalty_points.toml", NEW_THEME);
    let out = check(&[path(&dir)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(out.stdout.is_empty(), "stdout is for data only");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("lexicons ok: 19 themes, ") && err.contains(" terms, 1 golden comments"),
        "{err}"
    );
}

#[test]
fn the_bundled_lexicons_are_clean() {
    let lexicons = Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons");
    let out = check(&[lexicons.to_str().unwrap(), "--no-bundled-lexicons"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err.lines().count(), 1, "no warnings either:\n{err}");
    assert!(err.starts_with("lexicons ok: 18 themes, "), "{err}");
}

#[test]
fn a_copy_of_the_bundled_lexicons_checked_on_top_of_them_says_what_to_do() {
    let lexicons = Path::new(env!("CARGO_MANIFEST_DIR")).join("lexicons");
    let out = check(&[lexicons.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("pass --no-bundled-lexicons"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn unknown_fields_are_named_with_their_lines() {
    let text = NEW_THEME
        .replace(
            "{ term = \"points\" }",
            "{ term = \"points\", polarty = \"negative\" }",
        )
        .replace("label_zh", "colour = \"red\"\nlabel_zh")
        .replace("expect =", "expected =");
    assert_problem(&text, 4, "unknown field", "colour");
    assert_problem(&text, 8, "unknown field in a term entry", "polarty");
    assert_problem(&text, 13, "unknown field in [[golden]]", "expected");
}

#[test]
fn duplicate_terms_in_a_theme_and_across_themes() {
    let twice = NEW_THEME.replace(
        "  { term = \"points\" },\n",
        "  { term = \"points\" },\n  { term = \"积分\" },\n",
    );
    assert_problem(
        &twice,
        8,
        "duplicate term: already a term of loyalty_points",
        "积分",
    );
    // 退款 is a bundled billing_refund term.
    let across = NEW_THEME.replace("{ term = \"points\" }", "{ term = \"退款\" }");
    assert_problem(
        &across,
        7,
        "conflicting term: already a term of billing_refund (<bundled>/themes/billing_refund.toml:",
        "退款",
    );
}

#[test]
fn conflicting_polarities_and_excluded_terms() {
    let text = NEW_THEME.replace(
        "  { term = \"points\" },\n",
        "  { term = \"积分清零\", polarity = \"negative\" },\n  { term = \"积分清零\", polarity = \"positive\" },\n]\nexclude = [\"积分\"\n",
    );
    assert_problem(&text, 8, "conflicting polarity", "积分清零");
    assert_problem(
        &text,
        10,
        "conflicting exclusion: already a term of loyalty_points",
        "积分",
    );
}

#[test]
fn themes_without_terms_and_bad_values() {
    let no_terms =
        "id = \"loyalty_points\"\ncategory = \"service\"\nlabel_en = \"l\"\nlabel_zh = \"积分\"\n";
    assert_problem(no_terms, 1, "theme has no terms", "loyalty_points");
    let bad = NEW_THEME
        .replace(
            "{ term = \"points\" }",
            "{ term = \"points\", polarity = \"negtive\" }",
        )
        .replace("\"service\"", "\"Customer Service\"");
    assert_problem(&bad, 2, "bad category", "Customer Service");
    assert_problem(&bad, 7, "bad polarity", "negtive");
    assert_problem(
        "id = \"x\"\nterms = [\n",
        2,
        "invalid TOML (unclosed array",
        "",
    );
}

#[test]
fn failing_golden_comments_show_expected_and_got() {
    let text = NEW_THEME.replace("积分兑换太麻烦了", "积分兑换很方便");
    assert_problem(
        &text,
        11,
        "golden comment fails: expected [loyalty_points:negative], got [loyalty_points:positive (loyalty_points/积分)]",
        "积分兑换很方便",
    );
    let unknown = NEW_THEME.replace("\"loyalty_points:negative\"", "\"loyalty:negative\"");
    assert_problem(
        &unknown,
        12,
        "golden comment expects an unknown theme",
        "loyalty",
    );
}

#[test]
fn every_problem_is_listed_not_only_the_first() {
    let text = NEW_THEME
        .replace(
            "{ term = \"points\" }",
            "{ term = \"退款\", polarty = \"x\" }",
        )
        .replace("积分兑换太麻烦了", "积分兑换很方便");
    let dir = dir_with("mine.toml", &text);
    let out = check(&[path(&dir)]);
    let errors = stderr(&out)
        .lines()
        .filter(|l| l.contains(": error: "))
        .count();
    assert_eq!(errors, 3, "{}", stderr(&out));
    assert!(stderr(&out).contains("lexicon check failed: 3 error(s), 0 warning(s)"));
}

#[test]
fn warnings_are_printed_and_do_not_fail_the_check() {
    let text = NEW_THEME.replace("\"service\"", "\"loyalty\"");
    let dir = dir_with("mine.toml", &text);
    let out = check(&[path(&dir)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("mine.toml:2: warning: category is not one of"),
        "{err}"
    );
    assert!(err.contains("lexicons ok with 1 warning(s)"), "{err}");
}

#[test]
fn a_golden_the_models_theme_heads_veto_is_a_warning_naming_the_fix() {
    // A term of a bundled theme, used in a film review: the bundled model's
    // heads, which learnt that film reviews carry no theme, veto it.
    let dir = dir_with(
        "mine.toml",
        r#"id = "process_complexity"
terms = [{ term = "grieving process" }]

[[golden]]
text = "A soulful film about the grieving process and the nuances of loss."
expect = ["process_complexity:neutral"]
"#,
    );
    let out = check(&[path(&dir)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("mine.toml:5: warning: the model's theme heads veto process_complexity"),
        "{err}"
    );
    assert!(err.contains("--theme-veto 0"), "{err}");
    // A model without theme heads vetoes nothing.
    let lexical = concat!(env!("CARGO_MANIFEST_DIR"), "/models/lexical.toml");
    let out = check(&[path(&dir), "--model", lexical]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("lexicons ok: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn without_the_bundled_lexicons_their_terms_are_free_and_their_themes_unknown() {
    // No bundled cues either, so nothing is evaluated: the golden is neutral.
    let across = NEW_THEME
        .replace("{ term = \"points\" }", "{ term = \"退款\" }")
        .replace(":negative", ":neutral");
    let dir = dir_with("mine.toml", &across);
    let out = check(&[path(&dir), "--no-bundled-lexicons"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stderr(&out).starts_with("lexicons ok: 1 themes, 2 terms"));
    let ext = dir_with(
        "t.toml",
        "id = \"transfers\"\nterms = [{ term = \"handed off\" }]\n",
    );
    let out = check(&[path(&ext), "--no-bundled-lexicons"]);
    assert!(stderr(&out).contains("new theme needs category, label_en and label_zh: transfers"));
}

#[test]
fn usage_errors_exit_2() {
    let out = check(&["/no/such/dir"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("/no/such/dir"), "{}", stderr(&out));
    assert_eq!(check(&[]).status.code(), Some(2));
    let empty = TempDir::new().unwrap();
    let out = check(&[path(&empty)]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "an empty directory is a problem"
    );
    assert!(stderr(&out).contains("no .toml lexicon files"));
}
