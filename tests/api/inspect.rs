//! The inspection tool's contract (issue 4): input columns in any order with extra columns and
//! empty cells, the ranked output, verdict and reason codes, suggestions, and malformed input
//! that must fail loudly, naming file, line and column, never reported as "no suspects".

use myna_portal::domain::my_number::MyNumber;
use myna_portal::inspect::{run, InspectError, InspectOptions, InspectSummary};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A fresh directory under the system's temporary directory.
fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "myna-inspect-test-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn number(serial: u64) -> String {
    MyNumber::from_serial(serial).expose()
}

/// A valid number with its check digit broken.
fn bad_check_digit(serial: u64) -> String {
    let n = number(serial);
    let last = n.as_bytes()[11] - b'0';
    format!("{}{}", &n[..11], (last + 1) % 10)
}

struct Files {
    dir: PathBuf,
    register: PathBuf,
    links: PathBuf,
    out: PathBuf,
}

fn files(register: &str, links: &str) -> Files {
    let dir = scratch();
    let f = Files {
        register: dir.join("register.csv"),
        links: dir.join("links.csv"),
        out: dir.join("results.csv"),
        dir,
    };
    std::fs::write(&f.register, register).expect("write register");
    std::fs::write(&f.links, links).expect("write links");
    f
}

fn inspect(f: &Files, skip: bool) -> Result<InspectSummary, InspectError> {
    run(&InspectOptions {
        register: f.register.clone(),
        links: f.links.clone(),
        out: f.out.clone(),
        skip_bad_rows: skip,
        progress: false,
        workers: 2,
        explain: None,
    })
}

fn output(path: &Path) -> Vec<Vec<String>> {
    let mut rdr = csv::Reader::from_path(path).expect("read output");
    let header: Vec<String> = rdr
        .headers()
        .expect("header")
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(
        header,
        vec![
            "link_id",
            "my_number",
            "score",
            "verdict",
            "reasons",
            "suggested_my_number"
        ]
    );
    rdr.records()
        .map(|r| r.expect("row").iter().map(str::to_string).collect())
        .collect()
}

/// Register with columns in another order and an extra column: Taro (1), his wife Hanako (2),
/// and Taro's namesake elsewhere (3) with the same kanji, kana, birth date and sex.
fn register() -> String {
    format!(
        "household_id,note,address,sex,birth_date,name_kana,name_kanji,my_number\n\
         h1,x,東京都千代田区霞が関2丁目1番2号,M,1980-05-01,ヤマダ タロウ,山田　太郎,{}\n\
         h1,,東京都千代田区霞が関2丁目1番2号,F,1982-03-03,ヤマダ ハナコ,山田　花子,{}\n\
         h9,,大阪府大阪市北区梅田1丁目2番3号,M,1980-05-01,ヤマダ タロウ,山田　太郎,{}\n\
         ,,,,,,,{}\n",
        number(1),
        number(2),
        number(3),
        number(4),
    )
}

const LINK_HEADER: &str =
    "link_method,address,sex,birth_date,name_kana,name_kanji,institution,category,my_number,link_id,extra";

fn links() -> String {
    format!(
        "{LINK_HEADER}\n\
         number_on_application,千代田区霞が関2-1-2,M,1980-05-01,ﾔﾏﾀﾞ ﾀﾛｳ,髙田　太郎,01130012,health_insurance,{n1},ok-variant,\n\
         registry_query_3,大阪市北区梅田1-2-3,M,1980-05-01,ヤマダ タロウ,山田 太郎,01270001,health_insurance,{n1},same-kana,\n\
         number_on_application,,,,ﾔﾏﾀﾞ ﾊﾅｺ,,DA,public_fund_account,{n1},wife-account,\n\
         registry_query_4,札幌市中央区1-1-1,M,1980-05-01,ヤマダ タロウ,山田太郎,131016,tax,{n1},moved,\n\
         manual,,,,,,131016,pension,{n4},empty-cells,\n\
         number_on_application,,,,,Taro Yamada,131016,pension,{n1},latin,\n",
        n1 = number(1),
        n4 = number(4),
    )
}

fn row<'a>(rows: &'a [Vec<String>], id: &str) -> &'a Vec<String> {
    rows.iter()
        .find(|r| r[0] == id)
        .unwrap_or_else(|| panic!("no row {id}"))
}

#[test]
fn scores_ranks_and_explains_every_link() {
    let f = files(&register(), &links());
    let summary = inspect(&f, false).expect("inspection runs");
    assert_eq!(summary.register_rows, 4);
    assert_eq!(summary.links_read, 6);
    assert_eq!(summary.links_skipped, 0);
    let rows = output(&f.out);
    assert_eq!(rows.len(), 6);

    // Ranked: scores never increase down the file, and stay in [0, 1].
    let scores: Vec<f64> = rows
        .iter()
        .map(|r| r[2].parse().expect("score is a number"))
        .collect();
    assert!(scores.iter().all(|s| (0.0..=1.0).contains(s)), "{scores:?}");
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    for r in &rows {
        assert!(
            ["wrong_person", "needs_review", "consistent"].contains(&r[3].as_str()),
            "{r:?}"
        );
        assert_eq!(r[1].len(), 12);
    }

    // The 2023 pattern: the namesake's record on Taro's number, with the namesake suggested.
    let same_kana = row(&rows, "same-kana");
    assert_eq!(same_kana[3], "wrong_person");
    assert!(
        same_kana[4].contains("better_match_elsewhere"),
        "{same_kana:?}"
    );
    assert!(same_kana[4].contains("address_differs"));
    assert_eq!(same_kana[5], number(3));

    // An account in his wife's name on his number: in 2023 a deliberate practice counted
    // apart (about 130,000 accounts), not another person's account: its own reason, reviewed,
    // and nobody named as the owner (issue 11).
    let wife = row(&rows, "wife-account");
    assert_eq!(wife[3], "needs_review");
    assert!(wife[4].split(';').any(|r| r == "account_in_family_name"));
    assert_eq!(wife[5], "");

    // Harmless: variants, half-width kana, address notation; a move needs review only.
    // 髙田 against 山田 with everything else the same (the kana too): one character of the
    // kanji is weighed as a slip, not as another person (issue 11: graded comparisons).
    let ok = row(&rows, "ok-variant");
    assert_eq!(ok[3], "consistent", "{ok:?}");
    // Taro and his namesake fit it equally well (an address neither has): reviewed, and
    // nobody named.
    let moved = row(&rows, "moved");
    assert_eq!(
        (moved[3].as_str(), moved[4].as_str()),
        (
            "needs_review",
            "address_differs;another_person_fits_equally"
        )
    );
    assert_eq!(moved[5], "");

    // Empty cells on both sides are not differences.
    let empty = row(&rows, "empty-cells");
    assert_eq!(empty[3], "consistent");
    assert_eq!(empty[4], "few_attributes");

    // A Latin-letter name is compared with the romanized kana.
    assert_eq!(row(&rows, "latin")[3], "consistent");

    assert_eq!(summary.verdicts.iter().sum::<u64>(), 6);
    std::fs::remove_dir_all(&f.dir).ok();
}

#[test]
fn variant_kanji_half_width_kana_and_address_notation_are_consistent() {
    let links = format!(
        "{LINK_HEADER}\nmanual,千代田区霞が関２－１－２,M,1980/05/01,ﾔﾏﾀﾞ ﾀﾛｳ,山田 太郎,x,tax,{},a,\n",
        number(1)
    );
    // 1980/05/01 is not the contract's date form.
    let f = files(&register(), &links);
    let err = inspect(&f, false).expect_err("slashes in a date are malformed");
    assert!(err.to_string().contains("birth_date"), "{err}");

    let links = format!(
        "{LINK_HEADER}\nmanual,千代田区霞が関２－１－２,M,1980-05-01,ﾔﾏﾀﾞ ﾀﾛｳ,山田 太郎,x,tax,{},a,\n",
        number(1)
    );
    let f = files(&register(), &links);
    inspect(&f, false).expect("runs");
    let rows = output(&f.out);
    assert_eq!(rows[0][3], "consistent", "{rows:?}");
    assert_eq!(rows[0][2], "0.000");
}

/// Asserts an error names the file, the line and the column.
fn assert_names(err: &InspectError, file: &str, line: u64, column: &str) {
    let text = err.to_string();
    assert!(text.contains(file), "{text}");
    assert!(text.contains(&format!("line {line}")), "{text}");
    assert!(text.contains(column), "{text}");
}

fn one_bad_link(fields: &str) -> Files {
    let good = format!("manual,,,,,,x,tax,{},good,\n", number(1));
    files(
        &register(),
        &format!("{LINK_HEADER}\n{good}{fields}\n{good}"),
    )
}

#[test]
fn a_bad_date_names_file_line_and_column() {
    let f = one_bad_link(&format!("manual,,,1980-02-30,,,x,tax,{},bad,", number(1)));
    let err = inspect(&f, false).expect_err("malformed");
    assert_names(&err, "links.csv", 3, "column 4 (birth_date)");
}

#[test]
fn a_bad_check_digit_names_file_line_and_column() {
    let f = one_bad_link(&format!("manual,,,,,,x,tax,{},bad,", bad_check_digit(1)));
    let err = inspect(&f, false).expect_err("malformed");
    assert_names(&err, "links.csv", 3, "column 9 (my_number)");
    assert!(
        !err.to_string().contains(&bad_check_digit(1)),
        "the number is not repeated"
    );
}

#[test]
fn a_bad_category_names_file_line_and_column() {
    let f = one_bad_link(&format!("manual,,,,,,x,insurance,{},bad,", number(1)));
    let err = inspect(&f, false).expect_err("malformed");
    assert_names(&err, "links.csv", 3, "column 8 (category)");
}

#[test]
fn a_bad_sex_names_file_line_and_column() {
    let f = one_bad_link(&format!("manual,,X,,,,x,tax,{},bad,", number(1)));
    let err = inspect(&f, false).expect_err("malformed");
    assert_names(&err, "links.csv", 3, "column 3 (sex)");
}

#[test]
fn a_short_row_names_file_line_and_column() {
    let f = one_bad_link("manual,,,");
    let err = inspect(&f, false).expect_err("malformed");
    assert_names(&err, "links.csv", 3, "column 5 (name_kana)");
    assert!(err.to_string().contains("wrong number of fields"));
}

#[test]
fn a_bad_register_row_names_the_register() {
    let reg = format!("{}h,,,,1980-13-01,,,{}\n", register(), number(7));
    let f = files(&reg, &links());
    let err = inspect(&f, false).expect_err("malformed");
    assert_names(&err, "register.csv", 6, "birth_date");
}

#[test]
fn skip_bad_rows_counts_them() {
    let bad = format!(
        "manual,,,1980-02-30,,,x,tax,{n},bad1,\nmanual,,,,,,x,tax,{b},bad2,\nmanual,,\n",
        n = number(1),
        b = bad_check_digit(1)
    );
    let f = one_bad_link(bad.trim_end());
    let summary = inspect(&f, true).expect("bad rows skipped");
    assert_eq!(summary.links_skipped, 3);
    assert_eq!(summary.links_read, 5);
    assert_eq!(output(&f.out).len(), 2);
}

#[test]
fn an_empty_file_is_an_error_not_no_suspects() {
    let f = files(&register(), "");
    let err = inspect(&f, false).expect_err("empty links");
    assert!(err.to_string().contains("links.csv"), "{err}");
    assert!(err.to_string().contains("no header"), "{err}");
    assert!(!f.out.exists(), "no output for a failed run");

    let f = files("", &links());
    let err = inspect(&f, false).expect_err("empty register");
    assert!(err.to_string().contains("register.csv"), "{err}");
}

#[test]
fn a_file_without_header_or_with_a_missing_column_is_an_error() {
    // Data where the header should be.
    let headless = links().lines().skip(1).collect::<Vec<_>>().join("\n");
    let f = files(&register(), &headless);
    let err = inspect(&f, false).expect_err("no header");
    assert!(
        err.to_string().contains("required column `link_id`"),
        "{err}"
    );

    let no_category = links().replacen("category", "kategorie", 1);
    let f = files(&register(), &no_category);
    let err = inspect(&f, false).expect_err("missing column");
    assert!(err.to_string().contains("`category`"), "{err}");
    assert!(err.to_string().contains("links.csv"), "{err}");
}

#[test]
fn the_binary_exits_non_zero_on_malformed_input_and_zero_otherwise() {
    let bin = env!("CARGO_BIN_EXE_myna-portal");
    let f = one_bad_link(&format!("manual,,,,,,x,tax,{},bad,", bad_check_digit(1)));
    let args = |f: &Files| {
        vec![
            "inspect".to_string(),
            "--register".into(),
            f.register.display().to_string(),
            "--links".into(),
            f.links.display().to_string(),
            "--out".into(),
            f.out.display().to_string(),
        ]
    };
    let run = |args: Vec<String>| {
        std::process::Command::new(bin)
            .args(args)
            .env("RUST_LOG", "trace")
            .output()
            .expect("run the binary")
    };
    let bad = run(args(&f));
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("line 3"), "{stderr}");
    assert!(stderr.contains("column 9 (my_number)"), "{stderr}");

    let mut skipping = args(&f);
    skipping.push("--skip-bad-rows".into());
    let ok = run(skipping);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let stderr = String::from_utf8_lossy(&ok.stderr);
    assert!(stderr.contains("1 skipped"), "{stderr}");
    assert_eq!(output(&f.out).len(), 2);
    // No full number in the logs or the summary.
    let stdout = String::from_utf8_lossy(&ok.stdout);
    for n in [number(1), number(2), number(3)] {
        assert!(!stderr.contains(&n) && !stdout.contains(&n));
    }
}

/// The engine's figures on the evaluation sets (issue 11), so those in docs/inspection-tool.md cannot rot. The sets
/// in `data/eval/` were made by scripts that share no code with the engine or the generator:
/// the public FEBRL benchmark recast as link verification, and an independent Japanese set.
mod evaluation {
    use myna_portal::inspect::evaluate::{evaluate_set, SetEvaluation};
    use std::path::Path;

    fn set(name: &str) -> SetEvaluation {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/eval")
            .join(name);
        evaluate_set(&dir, false).expect("the set evaluates")
    }

    #[test]
    fn febrl4_reaches_the_bar() {
        let e = set("febrl4");
        assert_eq!(e.links, 6_000);
        assert!(e.misses().is_empty(), "{e}");
    }

    #[test]
    fn febrl3_reaches_the_bar() {
        let e = set("febrl3");
        assert_eq!(e.links, 3_400);
        assert!(e.misses().is_empty(), "{e}");
    }

    /// The Japanese set holds 49 wrong links that agree with the linked person on every
    /// attribute the record carries (a shared kana on an account, a namesake's pension), and
    /// family members' accounts that look exactly like accounts deliberately held in a family
    /// member's name: the bar's recall is out of reach there. These floors hold what the engine
    /// reaches (docs/inspection-tool.md, "The integrity engine").
    #[test]
    fn the_japanese_set_holds_its_figures() {
        let e = set("japanese");
        assert!(e.precision() >= 0.99, "{e}");
        assert!(e.recall() >= 0.90, "{e}");
        assert!(e.average_precision >= 0.95, "{e}");
        assert!(e.review_share() < 0.05, "{e}");
        // No link whose only differences are of notation is flagged wrong_person (a link that
        // also carries a typo or a maiden name is another matter).
        let notation = [
            "long_vowel",
            "missing_space",
            "half_width_kana",
            "hiragana_kana",
            "kanji_variant",
            "address_notation",
        ];
        let mut seen = 0;
        for (combo, c) in &e.harmless_combined {
            if combo.split('+').all(|k| notation.contains(&k)) {
                seen += c.total;
                assert_eq!(c.wrong_person, 0, "{combo} flagged wrong_person: {e}");
            }
        }
        assert!(seen > 1_000, "notation-only links in the set: {seen}");
    }
}
