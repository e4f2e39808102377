//! Clear a small table under two policies and write it in every format to
//! the directory given as the first argument (default: the system temp dir).

use outcomes::disclosure::{Basis, Cell, Column, Policy, Table};
use outcomes::report;

fn main() -> Result<(), outcomes::Error> {
    let dir = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let mut t = Table::new(
        "Clients by area and sex",
        vec![
            Column::label("Area"),
            Column::count("Female"),
            Column::count("Male"),
            Column::count("Total"),
            Column::statistic("Mean NDT score", Basis::CountColumn("Total".into())),
        ],
    )?;
    t.declare_column_total("Total", &["Female", "Male"])?;
    t.push_row(vec![
        Cell::text("North"),
        Cell::Count(3),
        Cell::Count(12),
        Cell::Count(15),
        Cell::value(31.4),
    ])?;
    t.push_row(vec![
        Cell::text("South"),
        Cell::Count(15),
        Cell::Count(18),
        Cell::Count(33),
        Cell::value(28.25),
    ])?;
    t.push_row(vec![
        Cell::text("Total"),
        Cell::Count(18),
        Cell::Count(30),
        Cell::Count(48),
        Cell::value(29.3),
    ])?;
    t.declare_row_total(2, &[0, 1])?;
    let a = Policy::default().apply(&t)?;
    let b = Policy::nhs_digital_2018().apply(&t)?;
    let md = report::to_markdown(&a);
    println!("{md}");
    println!("{}", report::to_html(&b));
    report::write_csv(&a, std::io::stdout())?;
    report::write_xlsx(&[&a, &b], dir.join("disclosure_demo.xlsx"))?;
    Ok(())
}
