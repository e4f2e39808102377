//! Writers: every output carries the policy and shows suppressed cells as the
//! symbol; text is escaped. Expected strings worked by hand from the table
//! below (minimum cell size 10: the 3 and its partners 12, 15, 18 become `c`).

use outcomes::disclosure::{Basis, Cell, ClearedTable, Column, Policy, Table};
use outcomes::report;

fn cleared(policy: &Policy) -> ClearedTable {
    let mut t = Table::new(
        "Clients <by> area & \"sex\"",
        vec![
            Column::label("Area"),
            Column::count("Female"),
            Column::count("Male"),
            Column::count("Total"),
            Column::statistic("Mean age", Basis::CountColumn("Total".into())),
        ],
    )
    .unwrap();
    t.declare_column_total("Total", &["Female", "Male"])
        .unwrap();
    t.push_row(vec![
        Cell::text("North|<b>"),
        Cell::Count(3),
        Cell::Count(12),
        Cell::Count(15),
        Cell::value(30.04),
    ])
    .unwrap();
    t.push_row(vec![
        Cell::text("South"),
        Cell::Count(15),
        Cell::Count(18),
        Cell::Count(33),
        Cell::NotAvailable,
    ])
    .unwrap();
    t.push_row(vec![
        Cell::text("Total"),
        Cell::Count(18),
        Cell::Count(30),
        Cell::Count(48),
        Cell::value(33.0),
    ])
    .unwrap();
    t.declare_row_total(2, &[0, 1]).unwrap();
    policy.apply(&t).unwrap()
}

#[test]
fn csv_has_policy_comment_and_reads_back() {
    let c = cleared(&Policy::default());
    let mut out = Vec::new();
    report::write_csv(&c, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("# Clients <by> area & \"sex\""));
    let policy_line = lines.next().unwrap();
    assert!(
        policy_line.starts_with("# Disclosure control: Minimum cell size 10: counts of 1 to 9"),
        "{policy_line}"
    );
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let rows: Vec<Vec<String>> = rdr
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows[0], vec!["North|<b>", "c", "c", "15", "30.0"]);
    assert_eq!(rows[1], vec!["South", "c", "c", "33", "x"]);
    assert_eq!(rows[2], vec!["Total", "18", "30", "48", "33.0"]);
}

#[test]
fn json_has_metadata_and_symbols() {
    let c = cleared(&Policy::nhs_legacy().with_symbol("*").unwrap());
    let mut out = Vec::new();
    report::write_json(&c, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        v["disclosure_control"]["policy"],
        "NHS Digital legacy (before September 2018)"
    );
    assert_eq!(
        v["disclosure_control"]["parameters"]["suppressed_counts"],
        serde_json::json!([1, 5])
    );
    assert_eq!(
        v["disclosure_control"]["parameters"]["secondary_suppression"],
        "Applied"
    );
    assert_eq!(
        v["disclosure_control"]["symbols"]["*"],
        "confidential (suppressed)"
    );
    assert_eq!(v["disclosure_control"]["summary"]["complementary"], 3);
    assert_eq!(
        v["rows"][0]["values"],
        serde_json::json!(["North|<b>", "*", "*", 15, 30.0])
    );
    assert_eq!(v["rows"][2]["total"], true);
    assert_eq!(v["columns"][4]["kind"], "statistic");
}

#[test]
fn markdown_has_footnote_and_escapes_pipes() {
    let c = cleared(&Policy::nhs_digital_2018());
    let md = report::to_markdown(&c);
    assert!(
        md.starts_with("**Clients <by> area & \"sex\"**[^disclosure]\n"),
        "{md}"
    );
    assert!(md.contains("| North\\|<b> | c | 10 | 15 | 30.0 |"), "{md}");
    assert!(
        md.contains("| **Total** | **20** | **30** | **50** | **33.0** |"),
        "{md}"
    );
    assert!(
        md.contains("\n[^disclosure]: Disclosure control: NHS Digital 2018: counts of 1 to 7"),
        "{md}"
    );
    assert!(md.contains("rounded to the nearest 5"));
}

#[test]
fn html_is_escaped_and_states_policy() {
    let c = cleared(&Policy::default());
    let h = report::to_html(&c);
    assert!(
        h.contains("<caption>Clients &lt;by&gt; area &amp; &quot;sex&quot;</caption>"),
        "{h}"
    );
    assert!(h.contains("<td>North|&lt;b&gt;</td>"), "{h}");
    assert!(!h.contains("<b>"));
    assert!(
        h.contains("<td class=\"num suppressed\" title=\"small count\">c</td>"),
        "{h}"
    );
    assert!(h.contains("<tr class=\"total\">"));
    assert!(
        h.contains("<tfoot>\n<tr><td colspan=\"5\">Disclosure control: Minimum cell size 10"),
        "{h}"
    );
}

#[test]
fn xlsx_is_a_zip_and_saves() {
    let a = cleared(&Policy::default());
    let b = cleared(&Policy::nhs_digital_2018());
    let bytes = report::xlsx_bytes(&[&a, &b]).unwrap();
    assert_eq!(&bytes[..2], b"PK");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut read = |name: &str| {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut zip.by_name(name).unwrap(), &mut s).unwrap();
        s
    };
    let workbook = read("xl/workbook.xml");
    for sheet in [
        "<sheet name=\"Clients &lt;by&gt; area &amp; &quot;sex&quot;\"",
        "<sheet name=\"Clients &lt;by&gt; area &amp; &quot;sex&quot; (2)\"",
        "<sheet name=\"Disclosure\"",
    ] {
        assert!(workbook.contains(sheet), "{sheet} not in {workbook}");
    }
    let strings = read("xl/sharedStrings.xml");
    assert!(
        strings.contains("Disclosure control: Minimum cell size 10: counts of 1 to 9"),
        "{strings}"
    );
    assert!(
        strings.contains("NHS Digital 2018: counts of 1 to 7"),
        "{strings}"
    );
    assert!(strings.contains("<t>c</t>"), "{strings}");
    // Sheet 1, row 5 (first data row): the suppressed 3 is the string `c`
    // (shared string), the total 15 a number.
    let sheet1 = read("xl/worksheets/sheet1.xml");
    assert!(
        sheet1.contains("<c r=\"D5\" s=\"2\"><v>15</v></c>"),
        "{sheet1}"
    );
    assert!(sheet1.contains("<c r=\"B5\" s=\"3\" t=\"s\">"), "{sheet1}");
    let path =
        std::env::temp_dir().join(format!("outcomes-disclosure-{}.xlsx", std::process::id()));
    report::write_xlsx(&[&a, &b], &path).unwrap();
    assert!(std::fs::metadata(&path).unwrap().len() > 1000);
    std::fs::remove_file(&path).unwrap();
    let bad = report::write_xlsx(&[&a], "/nonexistent-dir/x.xlsx").unwrap_err();
    assert!(bad.to_string().contains("nonexistent-dir"), "{bad}");
}
